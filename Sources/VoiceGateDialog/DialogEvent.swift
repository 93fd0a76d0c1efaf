/// The call as the engine first sees it.
public struct CallInfo: Sendable, Equatable, Codable {
    /// A unique id of the call (SIP Call-ID or the simulator's id).
    public var callID: String
    /// The caller's number (ANI).
    public var callerNumber: String
    /// The number the caller dialled (DNIS).
    public var calledNumber: String

    /// Call information.
    public init(callID: String, callerNumber: String, calledNumber: String) {
        self.callID = callID
        self.callerNumber = callerNumber
        self.calledNumber = calledNumber
    }
}

/// Where an input came from.
public enum InputSource: String, Sendable, Codable, Equatable {
    /// Spoken and found by the keyword spotter.
    case speech
    /// A key press.
    case dtmf
}

/// A timer the engine asked for. The sequence number makes a timer that fired after it
/// was cancelled (a race in any real driver) harmless: the engine ignores stale ids.
public struct DialogTimerID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the timer is for.
    public enum Kind: String, Sendable, Codable {
        /// Silence after a prompt.
        case noInput = "noinput"
        /// Pause between digits of an entry.
        case interDigit = "interdigit"
        /// Waiting for the bank backend.
        case backend
    }
    /// What the timer is for.
    public var kind: Kind
    /// Sequence number within the call.
    public var sequence: Int

    /// A timer id.
    public init(kind: Kind, sequence: Int) {
        self.kind = kind
        self.sequence = sequence
    }

    /// `kind#sequence`.
    public var description: String { "\(kind.rawValue)#\(sequence)" }
}

/// Something that happened on the call. Every event carries the time in milliseconds
/// since the call started, supplied by the driver: the engine has no clock.
public struct DialogEvent: Sendable, Equatable {
    /// Milliseconds since the call started.
    public var atMs: Int64
    /// What happened.
    public var kind: Kind

    /// An event at `atMs`.
    public init(atMs: Int64, _ kind: Kind) {
        self.atMs = atMs
        self.kind = kind
    }

    /// The kinds of events.
    public enum Kind: Sendable, Equatable {
        /// The caller started speaking (VAD onset confirmed).
        case speechStarted
        /// The caller stopped speaking (endpoint).
        case speechEnded
        /// The keyword spotter (or the driver) recognised an intent.
        case intent(name: String, confidence: Double, source: InputSource, phrase: String?)
        /// Speech that matched no keyword; `loud` when the voice was raised.
        case noMatch(loud: Bool)
        /// A key: `0`-`9`, `*`, `#` (also `A`-`D`, which menus ignore).
        case dtmf(Character)
        /// A prompt the engine asked for finished playing.
        case promptFinished(playID: String)
        /// A timer the engine started fired.
        case timerFired(DialogTimerID)
        /// The bank backend answered the last `lookup` action.
        case backendResult(BackendResult)
        /// The caller hung up.
        case callerHungUp
    }
}
