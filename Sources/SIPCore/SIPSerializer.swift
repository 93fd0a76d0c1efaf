public import NIOCore

/// Turns messages into bytes: start line, header fields with canonical names (compact forms
/// expanded), one Content-Length computed from the body (any Content-Length in `headers` is
/// replaced), an empty line, and the body.
///
/// CR and LF inside a header value or reason phrase are written as SP: RFC 3261 allows them only
/// as line ends, and a value carrying one (a bare CR survives line splitting) must never turn
/// into an extra header line at the next hop.
public enum SIPSerializer {
    /// The message as bytes.
    public static func bytes(_ message: SIPMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + message.body.count)
        switch message.startLine {
        case .request(let r):
            out += Array("\(r.method.rawValue) \(r.uri) \(r.version)\r\n".utf8)
        case .response(let s):
            out += Array("\(s.version) \(s.status) ".utf8)
            out += lineSafe(s.reason)
            out += [SIPSyntax.cr, SIPSyntax.lf]
        }
        for field in message.headers where field.name != "Content-Length" {
            out += Array(field.name.utf8)
            out += [UInt8(ascii: ":"), SIPSyntax.space]
            out += lineSafe(field.value)
            out += [SIPSyntax.cr, SIPSyntax.lf]
        }
        out += Array("Content-Length: \(message.body.count)\r\n\r\n".utf8)
        out += message.body
        return out
    }

    /// The UTF-8 of `text` with CR and LF replaced by SP.
    static func lineSafe(_ text: String) -> [UInt8] {
        text.utf8.map { $0 == SIPSyntax.cr || $0 == SIPSyntax.lf ? SIPSyntax.space : $0 }
    }

    /// Writes the message into `buffer`.
    public static func write(_ message: SIPMessage, into buffer: inout ByteBuffer) {
        buffer.writeBytes(bytes(message))
    }
}
