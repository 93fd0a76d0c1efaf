/// A URI as used in SIP: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966), or any other
/// absolute URI kept opaque (RFC 4475 unkscm, novelsc, unksm2 must parse; the UAS then decides).
///
/// Components are stored **decoded**: `%HEX HEX` escapes are turned into the characters they
/// stand for, so `sip:%75se%72@example.com` has `user == "user"` and compares equal to
/// `sip:user@example.com` (RFC 3261 §19.1.4). Serialising escapes again whatever the component's
/// grammar does not allow unescaped.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// The URI scheme.
    public enum Scheme: Sendable, Hashable {
        /// `sip:`.
        case sip
        /// `sips:` (TLS end to end).
        case sips
        /// `tel:` telephone number (RFC 3966).
        case tel
        /// Any other scheme, lowercased; the rest of the URI is in `opaque`.
        case other(String)

        /// The scheme name as written in URIs.
        public var name: String {
            switch self {
            case .sip: return "sip"
            case .sips: return "sips"
            case .tel: return "tel"
            case .other(let s): return s
            }
        }
    }

    /// The scheme.
    public var scheme: Scheme
    /// The user part (decoded); for `tel:` the telephone number.
    public var user: String?
    /// The password (decoded); RFC 3261 discourages it but the grammar allows it.
    public var password: String?
    /// The host as written (IPv6 references keep their brackets); empty for `tel:` and opaque URIs.
    public var host: String
    /// The port, when given.
    public var port: Int?
    /// The URI parameters (`;transport=tcp;lr`), names and values decoded.
    public var parameters: SIPParameters
    /// The URI headers (`?Route=...&Subject=...`), decoded; every value is non-nil.
    public var headers: SIPParameters
    /// For `.other` schemes: everything after `scheme:` exactly as received.
    public var opaque: String?

    /// Creates a SIP or SIPS URI.
    public init(scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String,
                port: Int? = nil, parameters: SIPParameters = SIPParameters(),
                headers: SIPParameters = SIPParameters()) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = nil
    }

    /// True for `sip:` and `sips:`.
    public var isSIP: Bool { scheme == .sip || scheme == .sips }

    /// The `transport` URI parameter, lowercased, when present.
    public var transport: String? {
        parameters["transport"].flatMap { $0 }.map(SIPSyntax.asciiLowercased)
    }

    /// Parses a URI. Returns nil when the text is not a valid URI of its scheme
    /// (for example `<sip:...>` with brackets, embedded whitespace, or a bad `%` escape in a SIP URI).
    public init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init?(bytes: [UInt8]) {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              SIPSyntax.isAlpha(bytes[0]),
              bytes[..<colon].allSatisfy({ SIPSyntax.isAlphaNum($0) || $0 == UInt8(ascii: "+")
                  || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return nil }
        let schemeName = SIPSyntax.asciiLowercased(String(decoding: bytes[..<colon], as: UTF8.self))
        let rest = Array(bytes[(colon + 1)...])
        self.user = nil
        self.password = nil
        self.host = ""
        self.port = nil
        self.parameters = SIPParameters()
        self.headers = SIPParameters()
        self.opaque = nil
        switch schemeName {
        case "sip", "sips":
            self.scheme = schemeName == "sip" ? .sip : .sips
            guard parseSIP(rest) else { return nil }
        case "tel":
            self.scheme = .tel
            guard parseTel(rest) else { return nil }
        default:
            self.scheme = .other(schemeName)
            // Opaque: anything visible except the characters that would end a URI in a header.
            guard !rest.isEmpty, rest.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "<")
                && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\"") }) else { return nil }
            self.opaque = String(decoding: rest, as: UTF8.self)
        }
    }

    private mutating func parseSIP(_ rest: [UInt8]) -> Bool {
        var hostStart = 0
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            let userinfo = rest[..<at]
            let userBytes: ArraySlice<UInt8>
            if let c = userinfo.firstIndex(of: UInt8(ascii: ":")) {
                userBytes = userinfo[..<c]
                guard let pw = SIPURIEscaping.decode(userinfo[(c + 1)...], allowed: SIPURIEscaping.isPasswordChar)
                else { return false }
                password = pw
            } else {
                userBytes = userinfo
            }
            guard !userBytes.isEmpty,
                  let u = SIPURIEscaping.decode(userBytes, allowed: SIPURIEscaping.isUserChar) else { return false }
            user = u
            hostStart = at + 1
        }
        var s = ByteScanner(Array(rest[hostStart...]))
        guard parseHostPort(&s) else { return false }
        // uri-parameters
        while s.peek == UInt8(ascii: ";") {
            s.index += 1
            let name = s.read(while: SIPURIEscaping.isParamChar)
            guard !name.isEmpty, let n = SIPURIEscaping.decode(name, allowed: SIPURIEscaping.isParamChar)
            else { return false }
            var value: String?
            if s.peek == UInt8(ascii: "=") {
                s.index += 1
                let v = s.read(while: SIPURIEscaping.isParamChar)
                guard !v.isEmpty, let d = SIPURIEscaping.decode(v, allowed: SIPURIEscaping.isParamChar)
                else { return false }
                value = d
            }
            parameters.append(.init(name: n, value: value))
        }
        if s.peek == UInt8(ascii: "?") {
            repeat {
                s.index += 1
                let name = s.read(while: SIPURIEscaping.isHeaderChar)
                guard !name.isEmpty, s.consume(UInt8(ascii: "="), lws: false),
                      let n = SIPURIEscaping.decode(name, allowed: SIPURIEscaping.isHeaderChar) else { return false }
                let v = s.read(while: SIPURIEscaping.isHeaderChar)
                guard let d = SIPURIEscaping.decode(v, allowed: SIPURIEscaping.isHeaderChar) else { return false }
                headers.append(.init(name: n, value: d))
            } while s.peek == UInt8(ascii: "&")
        }
        return s.isAtEnd
    }

    private mutating func parseHostPort(_ s: inout ByteScanner) -> Bool {
        guard let h = SIPURI.readHost(&s) else { return false }
        host = h
        if s.peek == UInt8(ascii: ":") {
            s.index += 1
            guard let p = SIPSyntax.parseDecimal(s.read(while: SIPSyntax.isDigit), maximum: 65535) else { return false }
            port = Int(p)
        }
        return true
    }

    /// Reads `host` = hostname / IPv4address / IPv6reference. Underscores are tolerated in
    /// hostnames because deployed equipment emits them.
    static func readHost(_ s: inout ByteScanner) -> String? {
        if s.peek == UInt8(ascii: "[") {
            let start = s.index
            s.index += 1
            let inner = s.read { SIPSyntax.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
            guard !inner.isEmpty, s.peek == UInt8(ascii: "]") else { return nil }
            s.index += 1
            return String(decoding: s.bytes[start..<s.index], as: UTF8.self)
        }
        let h = s.read { SIPSyntax.isAlphaNum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
            || $0 == UInt8(ascii: "_") }
        guard !h.isEmpty else { return nil }
        return String(decoding: h, as: UTF8.self)
    }

    private mutating func parseTel(_ rest: [UInt8]) -> Bool {
        var s = ByteScanner(rest)
        let number = s.read { b in
            SIPSyntax.hexValue(b) != nil || b == UInt8(ascii: "+") || b == UInt8(ascii: "*")
                || b == UInt8(ascii: "#") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: "p")
                || b == UInt8(ascii: "w") || b == UInt8(ascii: "P") || b == UInt8(ascii: "W")
        }
        guard !number.isEmpty else { return false }
        user = String(decoding: number, as: UTF8.self)
        while s.peek == UInt8(ascii: ";") {
            s.index += 1
            let name = s.read(while: SIPURIEscaping.isParamChar)
            guard !name.isEmpty, let n = SIPURIEscaping.decode(name, allowed: SIPURIEscaping.isParamChar)
            else { return false }
            var value: String?
            if s.peek == UInt8(ascii: "=") {
                s.index += 1
                let v = s.read(while: SIPURIEscaping.isParamChar)
                guard let d = SIPURIEscaping.decode(v, allowed: SIPURIEscaping.isParamChar) else { return false }
                value = d
            }
            parameters.append(.init(name: n, value: value))
        }
        return s.isAtEnd
    }

    /// The URI as text, with every component escaped as its grammar requires.
    public var description: String {
        if case .other(let name) = scheme { return name + ":" + (opaque ?? "") }
        var out = scheme.name + ":"
        if scheme == .tel {
            out += user ?? ""
        } else {
            if let user {
                out += SIPURIEscaping.encode(user, allowed: SIPURIEscaping.isUserChar)
                if let password {
                    out += ":" + SIPURIEscaping.encode(password, allowed: SIPURIEscaping.isPasswordChar)
                }
                out += "@"
            }
            out += host
            if let port { out += ":" + String(port) }
        }
        for p in parameters {
            out += ";" + SIPURIEscaping.encode(p.name, allowed: SIPURIEscaping.isParamChar)
            if let v = p.value { out += "=" + SIPURIEscaping.encode(v, allowed: SIPURIEscaping.isParamChar) }
        }
        var first = true
        for h in headers {
            out += first ? "?" : "&"
            first = false
            out += SIPURIEscaping.encode(h.name, allowed: SIPURIEscaping.isHeaderChar) + "="
                + SIPURIEscaping.encode(h.value ?? "", allowed: SIPURIEscaping.isHeaderChar)
        }
        return out
    }

    /// URI equivalence of RFC 3261 §19.1.4: schemes, users and passwords compared decoded and
    /// case-sensitively; hosts case-insensitively; ports must match (absent only equals absent);
    /// `user`, `ttl`, `method`, `maddr` and `transport` parameters must match when present in
    /// either; other parameters only when present in both; headers must all match.
    public func isEquivalent(to other: SIPURI) -> Bool {
        guard scheme == other.scheme else { return false }
        if case .other = scheme { return opaque == other.opaque }
        guard user == other.user, password == other.password,
              SIPSyntax.asciiLowercased(host) == SIPSyntax.asciiLowercased(other.host), port == other.port
        else { return false }
        let mustMatch: Set<String> = ["user", "ttl", "method", "maddr", "transport"]
        var names = Set(parameters.map { SIPSyntax.asciiLowercased($0.name) })
        names.formUnion(other.parameters.map { SIPSyntax.asciiLowercased($0.name) })
        for name in names {
            let a = parameters[name], b = other.parameters[name]
            if a == nil || b == nil {
                if mustMatch.contains(name) { return false }
                continue
            }
            let av = a!.map(SIPSyntax.asciiLowercased), bv = b!.map(SIPSyntax.asciiLowercased)
            if av != bv { return false }
        }
        guard headers.elements.count == other.headers.elements.count else { return false }
        for h in headers where other.headers[h.name] != .some(h.value) { return false }
        return true
    }
}

/// `%HEX HEX` escaping of SIP URI components (RFC 3261 §25.1).
enum SIPURIEscaping {
    /// `user` = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? /
    static func isUserChar(_ b: UInt8) -> Bool {
        SIPSyntax.isUnreserved(b) || "&=+$,;?/".utf8.contains(b)
    }

    /// `password` = *( unreserved / escaped / & = + $ , )
    static func isPasswordChar(_ b: UInt8) -> Bool {
        SIPSyntax.isUnreserved(b) || "&=+$,".utf8.contains(b)
    }

    /// `paramchar` = param-unreserved / unreserved / escaped, param-unreserved = [ ] / : & + $
    static func isParamChar(_ b: UInt8) -> Bool {
        SIPSyntax.isUnreserved(b) || "[]/:&+$%".utf8.contains(b)
    }

    /// `hname`/`hvalue` characters: hnv-unreserved = [ ] / ? : + $, unreserved, escaped.
    static func isHeaderChar(_ b: UInt8) -> Bool {
        SIPSyntax.isUnreserved(b) || "[]/?:+$%".utf8.contains(b)
    }

    /// Decodes `%XX` escapes; every other byte must satisfy `allowed`. Nil on a bad escape.
    static func decode<C: Collection<UInt8>>(_ bytes: C, allowed: (UInt8) -> Bool) -> String? where C.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let hi = SIPSyntax.hexValue(bytes[i + 1]), let lo = SIPSyntax.hexValue(bytes[i + 2])
                else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                guard allowed(b) else { return nil }
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes every byte that `allowed` rejects, and `%` itself.
    static func encode(_ s: String, allowed: (UInt8) -> Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            if b != UInt8(ascii: "%") && allowed(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
