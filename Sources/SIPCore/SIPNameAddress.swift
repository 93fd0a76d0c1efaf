/// A `name-addr` or `addr-spec` with header parameters, the value form of From, To, Contact,
/// Route, Record-Route, Refer-To and friends (RFC 3261 §20.10, §25.1):
/// `"Display Name" <sip:user@host>;tag=abc` or `sip:user@host;tag=abc`.
///
/// In the `addr-spec` form (no angle brackets) every `;` after the URI starts a header
/// parameter, never a URI parameter (RFC 4475 cparam01).
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, unquoted and unescaped; nil when absent.
    public var displayName: String?
    /// The address.
    public var uri: SIPURI
    /// Header parameters after the address (`tag`, `expires`, `q`, ...).
    public var parameters: SIPParameters

    /// Creates a name-addr.
    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (dialog identification on From/To).
    public var tag: String? {
        get { parameters["tag"].flatMap { $0 } }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") }
        }
    }

    /// Parses one value (not a comma-separated list). Nil when malformed: an unterminated quoted
    /// display name (quotbal), non-token characters in an unquoted display name (baddn), a missing
    /// `>`, or a URI that does not parse.
    public init?(_ text: String) {
        var s = ByteScanner(text)
        s.skipWhitespace()
        var display: String?
        let bytes = s.bytes
        var uriBytes: ArraySlice<UInt8>
        if s.peek == UInt8(ascii: "\"") {
            guard let q = s.readQuotedString() else { return nil }
            display = q
            s.skipWhitespace()
            guard s.peek == UInt8(ascii: "<") else { return nil }
        } else if let lt = bytes[s.index...].firstIndex(of: UInt8(ascii: "<")) {
            let name = SIPSyntax.trimmed(bytes[s.index..<lt])
            guard name.allSatisfy({ SIPSyntax.isToken($0) || SIPSyntax.isWhitespace($0) }) else { return nil }
            if !name.isEmpty { display = String(decoding: name, as: UTF8.self) }
            s.index = lt
        }
        if s.peek == UInt8(ascii: "<") {
            guard let gt = bytes[s.index...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            // Liberal: whitespace just inside the brackets is ignored (RFC 4475 badaspec allows either).
            uriBytes = SIPSyntax.trimmed(bytes[(s.index + 1)..<gt])
            s.index = gt + 1
        } else {
            uriBytes = s.read { !SIPSyntax.isWhitespace($0) && $0 != UInt8(ascii: ";") }
        }
        guard let uri = SIPURI(bytes: Array(uriBytes)),
              let params = SIPParameters.parseGeneric(&s), s.isAtEnd else { return nil }
        self.displayName = display
        self.uri = uri
        self.parameters = params
    }

    /// Canonical text, always in name-addr form: `"Name" <uri>;params`.
    public var description: String {
        var out = ""
        if let displayName { out += SIPQuoting.quote(displayName) + " " }
        return out + "<" + uri.description + ">" + parameters.serialized
    }
}

/// A Contact header value: either `*` (REGISTER "remove all bindings") or addresses.
public enum SIPContact: Sendable, Hashable {
    /// `Contact: *`.
    case wildcard
    /// One or more addresses in order.
    case addresses([SIPNameAddress])

    /// Parses every element of one or more Contact field values; nil when any element is malformed.
    public init?(values: [String]) {
        let elements = values.flatMap(SIPSyntax.splitList)
        if elements.count == 1, elements[0] == "*" {
            self = .wildcard
            return
        }
        var list: [SIPNameAddress] = []
        for e in elements {
            guard let a = SIPNameAddress(e) else { return nil }
            list.append(a)
        }
        self = .addresses(list)
    }
}
