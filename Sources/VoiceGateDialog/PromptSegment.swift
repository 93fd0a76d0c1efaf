/// A language the IVR speaks. English is the default; Mandarin is chosen by keyword or key 9.
public enum Language: String, Sendable, Codable, CaseIterable, Hashable {
    /// English.
    case en
    /// Mandarin Chinese.
    case zh
}

/// One piece of what the caller hears. The dialog engine asks for segments; the prompt
/// layer (`VoiceGatePrompts`) turns each into audio, by a recorded or synthesised prompt
/// or by concatenating fragment prompts (say-as), so that banks with recorded voices get
/// natural numbers.
public enum PromptSegment: Sendable, Equatable, Hashable, Codable {
    /// A catalog prompt by id (e.g. `"greeting"`).
    case prompt(String)
    /// A cardinal number ("one thousand two hundred thirty-four", 一千二百三十四).
    case number(Int64)
    /// A digit string read one digit at a time (confirmation numbers, last four digits).
    case digits(String)
    /// An amount of money in minor units (cents / 分); negative for overdrawn balances.
    case currency(minorUnits: Int64, code: String)
    /// A calendar date.
    case date(year: Int, month: Int, day: Int)
    /// A time of day, 24-hour clock.
    case time(hour: Int, minute: Int)
    /// A pause.
    case silence(milliseconds: Int)
}
