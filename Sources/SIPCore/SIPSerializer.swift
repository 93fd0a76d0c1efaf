public import NIOCore

/// Turns messages into bytes: start line, header fields with canonical names (compact forms
/// expanded), one Content-Length computed from the body (any Content-Length in `headers` is
/// replaced), an empty line, and the body.
public enum SIPSerializer {
    /// The message as bytes.
    public static func bytes(_ message: SIPMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + message.body.count)
        switch message.startLine {
        case .request(let r):
            out += Array("\(r.method.rawValue) \(r.uri) \(r.version)\r\n".utf8)
        case .response(let s):
            out += Array("\(s.version) \(s.status) \(s.reason)\r\n".utf8)
        }
        for field in message.headers where field.name != "Content-Length" {
            out += Array(field.name.utf8)
            out += [UInt8(ascii: ":"), SIPSyntax.space]
            out += Array(field.value.utf8)
            out += [SIPSyntax.cr, SIPSyntax.lf]
        }
        out += Array("Content-Length: \(message.body.count)\r\n\r\n".utf8)
        out += message.body
        return out
    }

    /// Writes the message into `buffer`.
    public static func write(_ message: SIPMessage, into buffer: inout ByteBuffer) {
        buffer.writeBytes(bytes(message))
    }
}
