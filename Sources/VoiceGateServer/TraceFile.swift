import Foundation
public import VoiceGateDialog

/// Appends a call's trace events as JSON lines to `<directory>/<call-id>.jsonl` (the same
/// lines as `voicegate simulate --trace`). The Call-ID is made file-name safe.
final class TraceFile {
    private let handle: FileHandle

    /// Opens (creating) the file, or nil when `directory` is nil or not writable.
    init?(directory: String?, callID: String) {
        guard let directory else { return nil }
        let safe = String(callID.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        let path = (directory as NSString).appendingPathComponent(safe + ".jsonl")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    /// Appends one event.
    func append(_ event: TraceEvent) {
        handle.write(Data((event.jsonLine() + "\n").utf8))
    }

    /// Closes the file.
    func close() { try? handle.close() }
}

extension TraceEvent {
    /// A short line for the server log. Keys are never logged (not even unmasked ones: a
    /// digit outside a masked node can still be part of an account number).
    public var logLine: String {
        let place = node.map { "[\($0)] " } ?? ""
        switch detail {
        case .node: return place + "entered node"
        case let .prompt(id, language, state, _): return place + "prompt \(id) (\(language.rawValue)) \(state.rawValue)"
        case .dtmf: return place + "key pressed"
        case let .intent(name, confidence, source):
            return place + "intent \(name) (\((confidence * 100).rounded() / 100), \(source.rawValue))"
        case .noInput(let count): return place + "no input #\(count)"
        case let .noMatch(count, _): return place + "no match #\(count)"
        case let .lookup(request, result): return place + "bank \(request)" + (result.map { " -> \($0)" } ?? "")
        case let .transfer(queue, reason, priority, _): return place + "transfer to \(queue) (\(reason), priority \(priority))"
        case let .hangup(by, outcome): return place + "hangup by \(by) (\(outcome.rawValue))"
        case let .bargeIn(cause, id, _, intent, _): return place + "barge-in (\(cause.rawValue)\(intent.map { " " + $0 } ?? "")) stopped \(id)"
        case let .falseBargeIn(cause, id, _): return place + "false barge-in (\(cause.rawValue)) on \(id)"
        }
    }
}
