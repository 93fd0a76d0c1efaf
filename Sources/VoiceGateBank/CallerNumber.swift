/// Calling numbers (ANI) arrive in many spellings: "+1 555-0001", "sip:+15550001@carrier",
/// "tel:+15550001". The demo bank stores E.164 with a leading '+', so lookups normalise first.
enum CallerNumber {
    /// `"+" + digits` of the user part, or nil when there are no digits (withheld/anonymous).
    /// A national number without country code is not rewritten: it simply will not match.
    static func normalized(_ raw: String) -> String? {
        var text = Substring(raw.trimmingWhitespace())
        for scheme in ["sips:", "sip:", "tel:"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
        }
        if let at = text.firstIndex(of: "@") { text = text[..<at] }
        if let parameters = text.firstIndex(of: ";") { text = text[..<parameters] }
        let digits = text.filter { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : "+" + digits
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
