extension SessionDescription {
    /// The body as text, CRLF line ends, fields in RFC 4566 order
    /// (`v o s i u e p c b t r z k a`, then each `m i c b k a`).
    public var serialized: String {
        var out = ""
        func line(_ type: Character, _ value: String) {
            out.append(type)
            out.append("=")
            out.append(value)
            out.append("\r\n")
        }
        func verbatim(_ fields: [SDPField], _ types: String) {
            for field in fields where types.contains(field.type) { line(field.type, field.value) }
        }
        line("v", String(version))
        let o = origin
        line("o", "\(o.username) \(o.sessionID) \(o.sessionVersion) \(o.networkType) \(o.addressType.rawValue) \(o.address)")
        line("s", sessionName)
        verbatim(otherFields, "iuep")
        if let connection { line("c", connection.serialized) }
        for bandwidth in bandwidths { line("b", "\(bandwidth.type):\(bandwidth.value)") }
        for timing in timings { line("t", "\(timing.start) \(timing.stop)") }
        verbatim(otherFields, "rzk")
        for attribute in attributes { line("a", attribute.serialized) }
        for section in media {
            let port = section.portCount.map { "\(section.port)/\($0)" } ?? String(section.port)
            line("m", ([section.media, port, section.proto] + section.formats).joined(separator: " "))
            verbatim(section.otherFields, "i")
            if let connection = section.connection { line("c", connection.serialized) }
            for bandwidth in section.bandwidths { line("b", "\(bandwidth.type):\(bandwidth.value)") }
            verbatim(section.otherFields, "k")
            for attribute in section.attributes { line("a", attribute.serialized) }
        }
        return out
    }

    /// The body as UTF-8 bytes, for a SIP message body.
    public var serializedBytes: [UInt8] { Array(serialized.utf8) }
}

extension SDPConnection {
    /// The value after `c=`.
    public var serialized: String {
        var address = self.address
        if let ttl { address += "/\(ttl)" }
        if let addressCount { address += "/\(addressCount)" }
        return "\(networkType) \(addressType.rawValue) \(address)"
    }
}

extension SDPAttribute {
    /// The value after `a=`.
    public var serialized: String { value.map { "\(name):\($0)" } ?? name }
}
