import Foundation
import VoiceGateDialog

/// Events in the `events` table: `t_ms`, `node` and `type` are columns; `detail` holds the
/// event's other keys exactly as in a trace line (`{"digit":"*","masked":true,...}`), so a
/// stored event reads back as the same `TraceEvent`.
enum EventJSON {
    /// The keys that are columns, not detail.
    static let columnKeys: Set<String> = ["t", "type", "node"]

    /// The detail object of `event`, compact with sorted keys.
    static func detail(of event: TraceEvent) throws -> String {
        let line = Data(event.jsonLine().utf8)
        guard var object = try JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw StoreError.corruptEvent("trace line is not an object")
        }
        for key in columnKeys { object.removeValue(forKey: key) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The event stored as these columns.
    static func event(tMs: Int64, node: String?, type: String, detail: String) throws -> TraceEvent {
        guard var object = try JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any] else {
            throw StoreError.corruptEvent("detail is not an object")
        }
        object["t"] = Double(tMs) / 1000
        object["type"] = type
        if let node { object["node"] = node }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONDecoder().decode(TraceEvent.self, from: data)
    }
}

/// What the store can report beyond GRDB's own errors.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// A stored event cannot be read back (hand-edited file, newer schema).
    case corruptEvent(String)

    /// One line for logs.
    public var description: String {
        switch self {
        case .corruptEvent(let why): return "corrupt stored event: \(why)"
        }
    }
}
