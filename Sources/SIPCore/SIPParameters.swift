/// An ordered list of `name[=value]` parameters, as found after `;` in Via, From/To, Contact and
/// in SIP URIs. Names compare case-insensitively (RFC 3261 §7.3.1); order and spelling are kept
/// so that a message serialises back the way it arrived.
public struct SIPParameters: Sendable, Hashable, Sequence {
    /// One parameter: `value` is nil for a flag parameter such as `;lr` or `;rport`.
    public struct Parameter: Sendable, Hashable {
        /// The parameter name as written.
        public var name: String
        /// The value (unquoted and unescaped), or nil when the parameter has no `=`.
        public var value: String?

        /// Creates a parameter.
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// The parameters in their original order.
    public private(set) var elements: [Parameter]

    /// Creates a parameter list.
    public init(_ elements: [Parameter] = []) { self.elements = elements }

    /// True when no parameter is present.
    public var isEmpty: Bool { elements.isEmpty }

    /// Iterates the parameters in order.
    public func makeIterator() -> IndexingIterator<[Parameter]> { elements.makeIterator() }

    /// True when a parameter named `name` (any case) is present, with or without a value.
    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The value of the first parameter named `name`: `.some(nil)` for a flag, nil when absent.
    public subscript(name: String) -> String?? {
        guard let i = index(of: name) else { return nil }
        return .some(elements[i].value)
    }

    /// Sets (replacing the first occurrence) or appends a parameter.
    public mutating func set(_ name: String, _ value: String?) {
        if let i = index(of: name) {
            elements[i].value = value
        } else {
            elements.append(Parameter(name: name, value: value))
        }
    }

    /// Appends a parameter (duplicates are kept, as received).
    public mutating func append(_ parameter: Parameter) { elements.append(parameter) }

    /// Removes every parameter named `name`.
    public mutating func remove(_ name: String) {
        elements.removeAll { SIPHeaderName.equalIgnoringCase($0.name, name) }
    }

    private func index(of name: String) -> Int? {
        elements.firstIndex { SIPHeaderName.equalIgnoringCase($0.name, name) }
    }
}

extension SIPParameters {
    /// Parses `*( SEMI generic-param )` from the scanner, with LWS around `;` and `=`
    /// (RFC 3261 §25.1). Values are a token, a host (IPv6 in brackets) or a quoted-string.
    /// Stops before a `,` or at the end; returns nil on a syntax error such as an empty parameter.
    static func parseGeneric(_ scanner: inout ByteScanner) -> SIPParameters? {
        var params = SIPParameters()
        while true {
            let saved = scanner.index
            scanner.skipWhitespace()
            guard scanner.peek == UInt8(ascii: ";") else {
                scanner.index = saved
                scanner.skipWhitespace()
                return params
            }
            scanner.index += 1
            scanner.skipWhitespace()
            guard let name = scanner.readToken() else { return nil }
            var value: String?
            if scanner.consume(UInt8(ascii: "=")) {
                if scanner.peek == UInt8(ascii: "\"") {
                    guard let q = scanner.readQuotedString() else { return nil }
                    value = q
                } else {
                    let v = scanner.read { b in
                        SIPSyntax.isToken(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "[")
                            || b == UInt8(ascii: "]")
                    }
                    guard !v.isEmpty else { return nil }
                    value = String(decoding: v, as: UTF8.self)
                }
            }
            params.elements.append(Parameter(name: name, value: value))
        }
    }

    /// Serialises as `;name=value...`, quoting values that are not tokens or hosts.
    var serialized: String {
        var out = ""
        for p in elements {
            out += ";" + p.name
            if let v = p.value {
                let bytes = Array(v.utf8)
                let plain = !bytes.isEmpty && bytes.allSatisfy {
                    SIPSyntax.isToken($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[")
                        || $0 == UInt8(ascii: "]")
                }
                out += "=" + (plain ? v : SIPQuoting.quote(v))
            }
        }
        return out
    }
}

/// Quoted-string helpers (RFC 3261 §25.1).
enum SIPQuoting {
    /// Wraps `s` in double quotes, escaping `"` and `\`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            if ch == "\"" || ch == "\\" { out += "\\" }
            out.unicodeScalars.append(ch)
        }
        return out + "\""
    }
}
