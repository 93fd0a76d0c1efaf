/// A place in a configuration file, 1-based like compilers report it, so that editors
/// can jump to `file:line:column`.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the user named it (e.g. `Config/menu.yaml`).
    public var file: String
    /// Line, starting at 1.
    public var line: Int
    /// Column, starting at 1 (Unicode scalars, as libyaml counts).
    public var column: Int

    /// A location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a configuration, menu or prompt file. Loading collects all of
/// them instead of stopping at the first, so a user fixes a file in one pass.
public struct ConfigProblem: Sendable, Hashable, Error, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong, in plain words.
    public var message: String

    /// A problem at `location`.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`, the format `voicegate check-config` prints.
    public var description: String { "\(location): \(message)" }
}

/// All problems of a file that failed to load; a bad file never half-loads.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    /// Every problem, in file order.
    public var problems: [ConfigProblem]

    /// Wraps a non-empty list of problems.
    public init(_ problems: [ConfigProblem]) { self.problems = problems }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
