import Foundation
public import Hummingbird

/// The fields of a request's body, whether a browser form (`application/x-www-form-urlencoded`)
/// or a JSON object (strings and numbers), so the console and the API share one handler.
public enum RequestFields {
    /// Largest body read (a menu is a few kilobytes).
    public static let maxBytes = 1 << 20

    /// The body's fields; empty when there is no body or it is neither form nor JSON object.
    public static func read(_ request: Request) async throws -> [String: String] {
        var body = request.body
        let buffer = try await body.collect(upTo: maxBytes)
        let bytes = Data(buffer.readableBytesView)
        let type = request.headers[.contentType] ?? ""
        if type.contains("application/json") {
            guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else { return [:] }
            var fields: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: fields[key] = text
                case let number as NSNumber: fields[key] = number.stringValue
                default: continue
                }
            }
            return fields
        }
        return form(String(decoding: bytes, as: UTF8.self))
    }

    /// `a=1&b=x+y` decoded (`+` is a space, `%XX` a byte); later duplicates win.
    public static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
