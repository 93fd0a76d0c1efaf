/// Why an SDP body was refused: the 1-based line number (0 for the body as a whole) and a reason.
public struct SDPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the offending field; 0 when the problem is the body as a whole.
    public var line: Int
    /// What is wrong, for logs and the reason phrase of a 400.
    public var reason: String

    /// Creates an error.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    public var description: String { line > 0 ? "SDP line \(line): \(reason)" : "SDP: \(reason)" }
}
