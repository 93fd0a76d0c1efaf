/// How a call ended.
public enum CallOutcome: String, Sendable, Codable, Equatable {
    /// The caller got a service done (balance, card blocked, statement) in the IVR.
    case selfServed = "self_served"
    /// The call went to an agent.
    case transferred
    /// The caller hung up without being served.
    case abandoned
    /// The IVR ended the call without serving the caller.
    case failed
}

/// What happened to a prompt.
public enum PromptState: String, Sendable, Codable, Equatable {
    /// It started.
    case started
    /// It played to the end.
    case finished
    /// Caller input stopped it.
    case barged
    /// The engine stopped it (hang-up, transfer).
    case stopped
}

/// One line of a call's trace: the same vocabulary for simulated and real calls
/// (DESIGN.md section 5). Never contains a PIN or masked digits.
public struct TraceEvent: Sendable, Equatable {
    /// Milliseconds since the call started.
    public var atMs: Int64
    /// The node the call was in.
    public var node: String?
    /// What happened.
    public var detail: Detail
    /// For prompt events on a live gateway: the `prompt_versions` id of the prompt's text the
    /// call plays (JSON `version`, absent when unknown, so older traces read unchanged).
    public var promptVersion: Int64?

    /// A trace event.
    public init(atMs: Int64, node: String?, _ detail: Detail, promptVersion: Int64? = nil) {
        self.atMs = atMs
        self.node = node
        self.detail = detail
        self.promptVersion = promptVersion
    }

    /// The kinds of trace events; `type` in JSON.
    public enum Detail: Sendable, Equatable {
        /// Entered `node`.
        case node
        /// A prompt started, finished, was barged or stopped.
        case prompt(id: String, language: Language, state: PromptState, playID: String)
        /// A key; `digit` is `"*"` where the node masks (then `masked` is true).
        case dtmf(digit: String, masked: Bool, typeAhead: Bool)
        /// An intent (from speech or a key).
        case intent(name: String, confidence: Double, source: InputSource)
        /// Silence after a prompt; `count` in this node visit.
        case noInput(count: Int)
        /// Input that matched nothing; `count` in this node visit.
        case noMatch(count: Int, loud: Bool)
        /// A backend request (`result` nil when sent) — kinds only, never values.
        case lookup(request: String, result: String?)
        /// The call went to an agent.
        case transfer(queue: String, reason: String, priority: Int, context: TransferContext)
        /// The call ended.
        case hangup(by: String, outcome: CallOutcome)
        /// Caller input stopped prompt `id` (`playID`): a keyword (with its intent and
        /// confidence), a key, or speech energy alone (`barge_in_energy` nodes).
        case bargeIn(cause: BargeInCause, id: String, playID: String, intent: String?, confidence: Double?)
        /// A barge-in that led nowhere: the input that stopped the prompt ended in a no-match
        /// (or, for energy, in no intent at all), so the caller lost the prompt for nothing.
        case falseBargeIn(cause: BargeInCause, id: String, playID: String)

        /// The JSON `type`.
        public var type: String {
            switch self {
            case .node: return "node"
            case .prompt: return "prompt"
            case .dtmf: return "dtmf"
            case .intent: return "intent"
            case .noInput: return "noinput"
            case .noMatch: return "nomatch"
            case .lookup: return "lookup"
            case .transfer: return "transfer"
            case .hangup: return "hangup"
            case .bargeIn: return "bargein"
            case .falseBargeIn: return "false_bargein"
            }
        }
    }

    /// The JSON `type` of this event.
    public var type: String { detail.type }
}
