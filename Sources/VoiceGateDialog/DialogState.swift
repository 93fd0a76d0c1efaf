/// The state of one call in the dialog engine: a plain value the driver keeps and hands
/// back with the next event. Secrets (PIN, account digits) live in `MaskedEntries`, whose
/// description never shows them; the state is deliberately not `Codable`.
public struct DialogState: Sendable, Equatable {
    /// Where the call is in its life.
    public enum Phase: Sendable, Equatable {
        /// Waiting for the caller profile before the greeting.
        case awaitingProfile
        /// In a node, playing or listening.
        case inNode
        /// Waiting for the bank backend.
        case awaitingBackend(LookupKind)
        /// The call is over for the engine (hung up or transferred).
        case ended(CallOutcome)
    }

    /// The call.
    public internal(set) var call: CallInfo
    /// When the call started (ms, driver's time base).
    public internal(set) var startedAtMs: Int64
    /// Where the call is in its life.
    public internal(set) var phase: Phase = .awaitingProfile
    /// The current node id.
    public internal(set) var node: String = ""
    /// The language prompts are played in.
    public internal(set) var language: Language
    /// Whether the caller has the assisted profile (slow prompts, keys first).
    public internal(set) var assisted = false
    /// Whether the caller passed identification.
    public internal(set) var verified = false
    /// The play id of the prompt playing now, if any.
    public var playingID: String? { playing?.playID }
    /// The outcome once the call has ended for the engine.
    public var outcome: CallOutcome? {
        if case .ended(let outcome) = phase { return outcome }
        return nil
    }

    // Internal bookkeeping; see DialogEngine for how each is used.
    var accountRef: String?
    var secrets = MaskedEntries()
    var maskedLengths: [String: Int] = [:]
    var values: [String: CallValue] = [:]
    var pending: [PendingInput] = []
    var playing: Playing?
    var lastPlay: Playing?
    var entry = ""
    /// A terminator pressed until this time is the end of an entry that already completed at
    /// its maximum length ("1234#" for a 4-digit field), not input for the next node.
    var redundantTerminator: RedundantTerminator?

    /// See `redundantTerminator`.
    struct RedundantTerminator: Sendable, Equatable {
        var key: String
        var untilMs: Int64
    }
    var visit = 0
    var noInputCount = 0
    var noMatchCount = 0
    var failureCounts: [String: TransferContext.FailureCount] = [:]
    var noMatchTotal = 0
    var escapeRequests = 0
    var frustrated = false
    var path: [TransferContext.Step] = []
    var keywords: [TransferContext.Keyword] = []
    var returnTo: String?
    var identificationFailures = 0
    var served = 0
    var timerSequence = 0
    var timers: [DialogTimerID.Kind: DialogTimerID] = [:]
    var playSequence = 0
    var transferReason: String?
    /// The last barge-in, until its input is taken or turns out a false barge-in.
    var unresolvedBargeIn: UnresolvedBargeIn?

    init(call: CallInfo, startedAtMs: Int64, language: Language) {
        self.call = call
        self.startedAtMs = startedAtMs
        self.language = language
    }
}

/// Entries the caller typed in masked nodes (PIN, last 4 digits). Kept only to build
/// `BackendRequest.verifyIdentity`/`blockCard` and to read digits back to the caller;
/// printing or dumping them shows nothing.
struct MaskedEntries: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private var storage: [String: String] = [:]
    subscript(key: String) -> String? {
        get { storage[key] }
        set { storage[key] = newValue }
    }
    var description: String { "[masked \(storage.count)]" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A value of the call that prompts can read (set by lookups and unmasked entries).
enum CallValue: Sendable, Equatable {
    case money(minorUnits: Int64, code: String)
    case digits(String)
    case number(Int64)
    case date(year: Int, month: Int, day: Int)
}

/// Input that arrived when it could not be handled yet (type-ahead).
enum PendingInput: Sendable, Equatable {
    case digit(Character)
    case intent(name: String, confidence: Double, source: InputSource, phrase: String?)
}

/// A prompt the driver is playing.
struct Playing: Sendable, Equatable {
    var playID: String
    var promptID: String
    var segments: [PromptSegment]
    var bargeIn: Bool
}

/// Printing or dumping a state shows where the call is, never entries, type-ahead or
/// prompt segments (which may read masked digits back to the caller).
extension DialogState: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A safe one-line summary.
    public var description: String {
        "DialogState(call: \(call.callID), node: \(node), phase: \(phase), language: \(language.rawValue), verified: \(verified), assisted: \(assisted))"
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// Only the safe fields, so `dump` and debuggers show no secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["call": call.callID, "node": node, "phase": phase, "language": language,
                                "verified": verified, "assisted": assisted], displayStyle: .struct)
    }
}
