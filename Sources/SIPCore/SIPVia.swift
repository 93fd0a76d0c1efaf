/// One Via value (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport`.
/// LWS is allowed around `/`, `:`, `;` and `=` (RFC 4475 wsinv).
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// The RFC 3261 magic cookie that starts every compliant branch.
    public static let magicCookie = "z9hG4bK"

    /// Protocol name, normally `SIP`.
    public var protocolName: String
    /// Protocol version, normally `2.0`.
    public var protocolVersion: String
    /// Transport, uppercased (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, or anything else).
    public var transport: String
    /// The sent-by host (IPv6 references keep their brackets).
    public var host: String
    /// The sent-by port, when given.
    public var port: Int?
    /// The via parameters in order.
    public var parameters: SIPParameters

    /// Creates a Via value.
    public init(transport: String, host: String, port: Int? = nil, parameters: SIPParameters = SIPParameters()) {
        self.protocolName = "SIP"
        self.protocolVersion = "2.0"
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The `branch` parameter (transaction id), when present.
    public var branch: String? { parameters["branch"].flatMap { $0 } }

    /// True when the branch starts with the RFC 3261 magic cookie and has something after it;
    /// otherwise transactions fall back to RFC 2543 matching (RFC 4475 badbranch).
    public var hasRFC3261Branch: Bool {
        guard let b = branch else { return false }
        return b.hasPrefix(SIPVia.magicCookie) && b.utf8.count > SIPVia.magicCookie.utf8.count
    }

    /// The `received` parameter (source address noted by the receiver).
    public var received: String? { parameters["received"].flatMap { $0 } }

    /// The `rport` parameter of RFC 3581: absent, requested (no value), or filled in.
    public var rport: RPort {
        switch parameters["rport"] {
        case .none: return .absent
        case .some(.none): return .requested
        case .some(.some(let v)): return Int(v).map(RPort.value) ?? .requested
        }
    }

    /// RFC 3581 rport state.
    public enum RPort: Sendable, Hashable {
        /// No rport parameter.
        case absent
        /// `;rport` without a value: the client asks for the source port in the response.
        case requested
        /// `;rport=N`: the port the server saw.
        case value(Int)
    }

    /// Parses one Via value (not a comma-separated list); nil when malformed.
    public init?(_ text: String) {
        var s = ByteScanner(text)
        s.skipWhitespace()
        guard let name = s.readToken(), s.consume(UInt8(ascii: "/")),
              let version = s.readToken(), s.consume(UInt8(ascii: "/")),
              let transport = s.readToken() else { return nil }
        let beforeHost = s.index
        s.skipWhitespace()
        guard s.index > beforeHost, let host = SIPURI.readHost(&s) else { return nil }
        var port: Int?
        if s.consume(UInt8(ascii: ":")) {
            guard let p = SIPSyntax.parseDecimal(s.read(while: SIPSyntax.isDigit), maximum: 65535) else { return nil }
            port = Int(p)
        }
        guard let params = SIPParameters.parseGeneric(&s), s.isAtEnd else { return nil }
        self.protocolName = name
        self.protocolVersion = version
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = params
    }

    /// Canonical text: `SIP/2.0/UDP host:port;params`.
    public var description: String {
        var out = "\(protocolName)/\(protocolVersion)/\(transport) \(host)"
        if let port { out += ":\(port)" }
        return out + parameters.serialized
    }
}
