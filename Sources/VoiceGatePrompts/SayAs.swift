public import VoiceGateDialog

/// Why a segment cannot be spoken by concatenation.
public enum SayAsError: Error, Equatable, CustomStringConvertible {
    /// A currency code without fragments in that language.
    case unsupportedCurrency(code: String, language: Language)
    /// A character that is not a digit, `*`, `#`, space or `-` in a digit string.
    case invalidDigit(Character, in: String)
    /// A calendar date that does not exist.
    case invalidDate(year: Int, month: Int, day: Int)
    /// A time outside 00:00–23:59.
    case invalidTime(hour: Int, minute: Int)

    public var description: String {
        switch self {
        case let .unsupportedCurrency(code, language): "no \(language.rawValue) fragments for currency '\(code)'"
        case let .invalidDigit(c, s): "'\(c)' in digit string '\(s)' cannot be read (digits, *, #, spaces and - only)"
        case let .invalidDate(y, m, d): "\(y)-\(m)-\(d) is not a calendar date"
        case let .invalidTime(h, m): "\(h):\(m) is not a time of day (00:00–23:59)"
        }
    }
}

/// Say-as by concatenation: turns a number, amount, date, time or digit string into the list of
/// fragment prompt ids that speak it, so that a bank that records its prompts gets natural
/// numbers from a small set of recordings (`Prompts/<lang>/fragments.yaml` has every id).
/// Pure functions and tables; the conventions per language are documented on `English` and
/// `Mandarin`.
public enum SayAs {
    /// The fragment ids that speak `segment` in `language`; `.prompt` gives its own id and
    /// `.silence` gives no fragments (it is not a prompt).
    /// - Throws: `SayAsError` for unsupported currencies, invalid digits, dates or times.
    public static func fragments(for segment: PromptSegment, language: Language) throws -> [String] {
        switch language {
        case .en: try English.fragments(for: segment)
        case .zh: try Mandarin.fragments(for: segment)
        }
    }

    /// How fragment texts join into one sentence: English words take spaces, Chinese does not.
    public static func separator(for language: Language) -> String {
        language == .zh ? "" : " "
    }

    /// Checks a calendar date (proleptic Gregorian, years 1–9999).
    static func validateDate(year: Int, month: Int, day: Int) throws {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...9999).contains(year), (1...12).contains(month), (1...lengths[month - 1]).contains(day) else {
            throw SayAsError.invalidDate(year: year, month: month, day: day)
        }
    }

    /// Checks a 24-hour time of day.
    static func validateTime(hour: Int, minute: Int) throws {
        guard (0...23).contains(hour), (0...59).contains(minute) else {
            throw SayAsError.invalidTime(hour: hour, minute: minute)
        }
    }

    /// The digit characters of a digit string as fragment ids shared by both languages:
    /// `digit_0`…`digit_9`, `digit_star`, `digit_pound`; spaces and hyphens are formatting and skipped.
    static func digitFragments(_ s: String) throws -> [String] {
        var out: [String] = []
        for c in s {
            switch c {
            case "0"..."9": out.append("digit_\(c)")
            case "*": out.append("digit_star")
            case "#": out.append("digit_pound")
            case " ", "-": continue
            default: throw SayAsError.invalidDigit(c, in: s)
            }
        }
        return out
    }
}
