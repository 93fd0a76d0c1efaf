/// One header field line, unfolded: `name` is the canonical long form (compact forms such as
/// `v` or `i` are expanded when parsed), `value` is the raw value with surrounding whitespace
/// removed and folded continuation lines joined by a single space.
public struct SIPHeaderField: Sendable, Hashable {
    /// Canonical header name (`Via`, `Call-ID`, `CSeq`); unknown names are kept as received.
    /// Assigning a compact or differently cased known name stores the canonical spelling.
    public var name: String {
        didSet {
            let canonical = SIPHeaderName.canonical(name)
            if canonical != name { name = canonical }
        }
    }
    /// The field value as received (after unfolding and trimming).
    public var value: String

    /// Creates a field; `name` is canonicalised (`"v"` becomes `"Via"`, `"call-id"` `"Call-ID"`).
    public init(name: String, value: String) {
        self.name = SIPHeaderName.canonical(name)
        self.value = value
    }
}

/// Header names: canonical spelling and the compact forms of RFC 3261 §7.3.3 and later RFCs.
public enum SIPHeaderName {
    /// Compact form letter (lowercase) to long name.
    public static let compactForms: [String: String] = [
        "a": "Accept-Contact", "b": "Referred-By", "c": "Content-Type", "d": "Request-Disposition",
        "e": "Content-Encoding", "f": "From", "i": "Call-ID", "j": "Reject-Contact", "k": "Supported",
        "l": "Content-Length", "m": "Contact", "o": "Event", "r": "Refer-To", "s": "Subject",
        "t": "To", "u": "Allow-Events", "v": "Via", "x": "Session-Expires", "y": "Identity",
    ]

    private static let known: [String] = [
        "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow",
        "Allow-Events", "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
        "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Type",
        "CSeq", "Date", "Error-Info", "Event", "Expires", "From", "In-Reply-To", "Max-Forwards",
        "MIME-Version", "Min-Expires", "Min-SE", "Organization", "P-Asserted-Identity", "Priority",
        "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "RAck", "Reason", "Record-Route",
        "Refer-To", "Referred-By", "Reject-Contact", "Reply-To", "Request-Disposition", "Require",
        "Retry-After", "Route", "RSeq", "Server", "Session-Expires", "Subject", "Subscription-State",
        "Supported", "Timestamp", "To", "Unsupported", "User-Agent", "User-to-User", "Via", "Warning",
        "WWW-Authenticate", "Identity",
    ]

    private static let canonicalByLower: [String: String] = {
        var map: [String: String] = [:]
        for name in known { map[SIPSyntax.asciiLowercased(name)] = name }
        for (short, long) in compactForms { map[short] = long }
        return map
    }()

    /// The canonical spelling of `name`: compact forms expanded, known names in their RFC
    /// spelling, unknown names unchanged.
    public static func canonical(_ name: String) -> String {
        canonicalByLower[SIPSyntax.asciiLowercased(name)] ?? name
    }

    /// True when two header names denote the same header (case-insensitive, compact forms equal).
    public static func matches(_ a: String, _ b: String) -> Bool {
        equalIgnoringCase(canonical(a), canonical(b))
    }

    /// ASCII case-insensitive comparison without allocating.
    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        var i = a.utf8.makeIterator()
        var j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y, (x | 0x20) != (y | 0x20) || !SIPSyntax.isAlpha(x) { return false }
            default: return false
            }
        }
    }
}

/// The header fields of a message in their original order (order matters for Via, Route and
/// Record-Route, RFC 3261 §7.3.1). Lookups are case-insensitive and accept compact forms.
public struct SIPHeaders: Sendable, Hashable, Sequence {
    /// The fields in order.
    public private(set) var fields: [SIPHeaderField]

    /// Creates a header list.
    public init(_ fields: [SIPHeaderField] = []) { self.fields = fields }

    /// Creates a header list from `(name, value)` pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.fields = pairs.map { SIPHeaderField(name: $0.key, value: $0.value) }
    }

    /// Number of header field lines.
    public var count: Int { fields.count }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }

    /// The value of the first field named `name`, or nil.
    public subscript(name: String) -> String? {
        let key = SIPHeaderName.canonical(name)
        return fields.first { SIPHeaderName.equalIgnoringCase($0.name, key) }?.value
    }

    /// The values of every field named `name`, in order (one per field line, not split on commas).
    public func values(_ name: String) -> [String] {
        let key = SIPHeaderName.canonical(name)
        return fields.filter { SIPHeaderName.equalIgnoringCase($0.name, key) }.map(\.value)
    }

    /// The comma-separated elements of every field named `name`, in order
    /// (`Via: a, b` + `Via: c` gives `[a, b, c]`).
    public func listValues(_ name: String) -> [String] {
        values(name).flatMap(SIPSyntax.splitList).filter { !$0.isEmpty }
    }

    /// True when at least one field named `name` is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field at the end.
    public mutating func add(name: String, value: String) {
        fields.append(SIPHeaderField(name: name, value: value))
    }

    /// Inserts a field before all others (used for a new top Via).
    public mutating func prepend(name: String, value: String) {
        fields.insert(SIPHeaderField(name: name, value: value), at: 0)
    }

    /// Replaces every field named `name` by one field with `value`, at the first one's position
    /// (or at the end when absent).
    public mutating func replace(name: String, value: String) {
        if let i = fields.firstIndex(where: { SIPHeaderName.matches($0.name, name) }) {
            fields[i] = SIPHeaderField(name: name, value: value)
            var j = fields.count - 1
            while j > i {
                if SIPHeaderName.matches(fields[j].name, name) { fields.remove(at: j) }
                j -= 1
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        let key = SIPHeaderName.canonical(name)
        fields.removeAll { SIPHeaderName.equalIgnoringCase($0.name, key) }
    }
}
