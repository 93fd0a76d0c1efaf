/// Character classes and a byte scanner shared by the SIP grammar parsers (RFC 3261 §25).
///
/// Everything works on UTF-8 bytes: the SIP grammar is defined on octets, and comparing bytes
/// avoids the cost and the Unicode normalisation of `Character` comparisons.
enum SIPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09

    /// SP or HTAB: the whitespace that LWS is made of once lines are unfolded.
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always) static func isAlphaNum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    static func isToken(_ b: UInt8) -> Bool {
        if isAlphaNum(b) { return true }
        switch b {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"),
             UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"),
             UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `unreserved` URI characters: alphanum / mark.
    static func isUnreserved(_ b: UInt8) -> Bool {
        if isAlphaNum(b) { return true }
        switch b {
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"),
             UInt8(ascii: "~"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"):
            return true
        default:
            return false
        }
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// True when every byte is a token character and there is at least one.
    static func isToken<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isToken)
    }

    /// Lowercases ASCII letters only (header names, schemes, parameter names are ASCII).
    static func asciiLowercased(_ s: String) -> String {
        var bytes = Array(s.utf8)
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] += 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Trims SP/HTAB (and stray CR/LF) from both ends.
    static func trimmed<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isTrimmable(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isTrimmable(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return bytes[start..<end]
    }

    @inline(__always) private static func isTrimmable(_ b: UInt8) -> Bool {
        b == space || b == tab || b == cr || b == lf
    }

    /// Trims whitespace from a string.
    static func trimmed(_ s: String) -> String {
        String(decoding: trimmed(Array(s.utf8)), as: UTF8.self)
    }

    /// Parses an unsigned decimal number of 1...`maxDigits` digits that is at most `maximum`.
    /// Leading zeros are allowed (RFC 4475 wsinv: "0068", "0009").
    static func parseDecimal<C: Collection<UInt8>>(_ bytes: C, maximum: UInt64) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            if o1 || o2 || s > maximum { return nil }
            value = s
        }
        return value
    }

    /// Splits a header value on commas that are outside quoted strings and angle brackets,
    /// which is how multi-valued headers (Via, Contact, Route) list their elements (RFC 3261 §7.3.1).
    static func splitList(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        var parts: [String] = []
        var start = 0
        var inQuotes = false
        var inAngle = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inQuotes = false }
            } else if b == UInt8(ascii: "\"") {
                inQuotes = true
            } else if b == UInt8(ascii: "<") {
                inAngle = true
            } else if b == UInt8(ascii: ">") {
                inAngle = false
            } else if b == UInt8(ascii: ","), !inAngle {
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                start = i + 1
            }
            i += 1
        }
        parts.append(String(decoding: bytes[min(start, bytes.count)...], as: UTF8.self))
        return parts.map(trimmed)
    }
}

/// A cursor over bytes for the small recursive-descent parsers of header values.
/// Reads past the end return nil instead of trapping: malformed input is a value, not a crash.
struct ByteScanner {
    let bytes: [UInt8]
    var index: Int = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ string: String) { self.bytes = Array(string.utf8) }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let b = peek, SIPSyntax.isWhitespace(b) { index += 1 }
    }

    /// Consumes `byte` (after optional whitespace on both sides when `lws` is true).
    mutating func consume(_ byte: UInt8, lws: Bool = true) -> Bool {
        let saved = index
        if lws { skipWhitespace() }
        guard peek == byte else { index = saved; return false }
        index += 1
        if lws { skipWhitespace() }
        return true
    }

    /// Reads one or more bytes satisfying `predicate`.
    mutating func read(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while let b = peek, predicate(b) { index += 1 }
        return bytes[start..<index]
    }

    mutating func readToken() -> String? {
        let t = read(while: SIPSyntax.isToken)
        return t.isEmpty ? nil : String(decoding: t, as: UTF8.self)
    }

    /// Reads a quoted-string (the scanner sits on the opening quote) and returns its unescaped
    /// content; nil when the closing quote is missing.
    mutating func readQuotedString() -> String? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        var i = index + 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count, bytes[i + 1] != SIPSyntax.cr, bytes[i + 1] != SIPSyntax.lf else { return nil }
                out.append(bytes[i + 1])
                i += 2
                continue
            }
            if b == UInt8(ascii: "\"") {
                index = i + 1
                return String(decoding: out, as: UTF8.self)
            }
            out.append(b)
            i += 1
        }
        return nil
    }

    var rest: ArraySlice<UInt8> { bytes[min(index, bytes.count)...] }
}
