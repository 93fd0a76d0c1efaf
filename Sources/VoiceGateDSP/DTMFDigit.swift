/// One of the 16 DTMF keys (ITU-T Q.23): a row (low-group) and a column (high-group) frequency.
public enum DTMFDigit: Character, CaseIterable, Sendable, Hashable {
    case one = "1", two = "2", three = "3", a = "A"
    case four = "4", five = "5", six = "6", b = "B"
    case seven = "7", eight = "8", nine = "9", c = "C"
    case star = "*", zero = "0", pound = "#", d = "D"

    /// Low-group (row) frequencies in Hz, top row first.
    public static let rowFrequencies: [Double] = [697, 770, 852, 941]
    /// High-group (column) frequencies in Hz, left column first.
    public static let columnFrequencies: [Double] = [1209, 1336, 1477, 1633]

    /// Keypad layout: `keypad[row][column]`.
    static let keypad: [[DTMFDigit]] = [
        [.one, .two, .three, .a],
        [.four, .five, .six, .b],
        [.seven, .eight, .nine, .c],
        [.star, .zero, .pound, .d],
    ]

    /// The digit at keypad `row` and `column` (0-based).
    public init(row: Int, column: Int) { self = DTMFDigit.keypad[row][column] }

    /// Parses a key character; lower-case a-d are accepted.
    public init?(_ character: Character) {
        let upper = Character(character.uppercased())
        guard let digit = DTMFDigit(rawValue: upper) else { return nil }
        self = digit
    }

    /// Keypad row, 0...3.
    public var row: Int { DTMFDigit.allCases.firstIndex(of: self)! / 4 }
    /// Keypad column, 0...3.
    public var column: Int { DTMFDigit.allCases.firstIndex(of: self)! % 4 }
    /// Low-group frequency in Hz.
    public var lowFrequency: Double { DTMFDigit.rowFrequencies[row] }
    /// High-group frequency in Hz.
    public var highFrequency: Double { DTMFDigit.columnFrequencies[column] }
}
