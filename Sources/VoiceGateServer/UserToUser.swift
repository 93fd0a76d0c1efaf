/// The `User-to-User` header of RFC 7433 carrying VoiceGate's transfer context key: the key's
/// UTF-8 bytes as hex with `encoding=hex;purpose=call`. Only the short key travels in SIP
/// (UUI is limited to 128 octets by ISDN interworking); the full context stays in the trace and,
/// later, behind `GET /api/calls/{key}/context`.
public enum UserToUser {
    /// The header value for `key`, e.g. `63616c6c2d31;encoding=hex;purpose=call`.
    public static func value(forKey key: String) -> String {
        let digits = Array("0123456789abcdef")
        var hex = ""
        for byte in key.utf8 {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return hex + ";encoding=hex;purpose=call"
    }

    /// The parts of a header value: the decoded data (nil when `encoding=hex` is claimed but
    /// the data is not hex) and the parameters by lower-cased name.
    public static func parse(_ value: String) -> (data: [UInt8]?, parameters: [String: String]) {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard let name = pair.first else { continue }
            parameters[name.trimmedOf(" \t").lowercased()] =
                pair.count == 2 ? pair[1].trimmedOf(" \t") : ""
        }
        let text = (parts.first.map(String.init) ?? "").trimmedOf(" \t")
        guard parameters["encoding"]?.lowercased() == "hex" else { return (Array(text.utf8), parameters) }
        return (hexBytes(text), parameters)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}

extension Substring {
    /// Without the given leading and trailing characters.
    fileprivate func trimmedOf(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension String {
    /// Without the given leading and trailing characters.
    fileprivate func trimmedOf(_ set: String) -> String { self[...].trimmedOf(set) }
}
