/// One node of the menu with every default already applied.
public struct MenuNode: Sendable, Equatable {
    /// The node id (its key under `nodes:`).
    public var id: String
    /// What the node does.
    public var kind: NodeKind
    /// What it says.
    public var prompts: NodePrompts
    /// Whether its prompts stop on a keyword or digit (type-ahead is kept either way).
    public var bargeIn: Bool
    /// Whether the caller's confirmed speech onset alone (VAD + endpointer, before anything is
    /// recognised) stops its bargeable prompts (`barge_in_energy`). Off by default: a cough, a
    /// TV or line noise must not cut a prompt. Only listening nodes (menu, confirm, collect).
    public var bargeInEnergy = false
    /// Silence after the prompt before a no-input (ms).
    public var noInputMs: Int
    /// No-inputs in one visit before escalating.
    public var maxNoInput: Int
    /// No-matches in one visit before escalating.
    public var maxNoMatch: Int
    /// Where escalation goes; `nil` means the agent node with reason `max_failures`.
    public var escalateTo: String?
    /// Whether the caller must be identified first: identification runs, then comes back here.
    public var requiresVerified: Bool
    /// Where the node is written.
    public var location: SourceLocation
    /// Where each node-reference field (`next`, `yes`, `no`, `on_reject`, `on_failure`,
    /// `escalate_to`) is written, so problems point at the value.
    public var fieldLocations: [String: SourceLocation] = [:]

    /// A node.
    public init(id: String, kind: NodeKind, prompts: NodePrompts, bargeIn: Bool, noInputMs: Int,
                maxNoInput: Int, maxNoMatch: Int, escalateTo: String?, requiresVerified: Bool = false,
                location: SourceLocation) {
        self.id = id
        self.kind = kind
        self.prompts = prompts
        self.bargeIn = bargeIn
        self.noInputMs = noInputMs
        self.maxNoInput = maxNoInput
        self.maxNoMatch = maxNoMatch
        self.escalateTo = escalateTo
        self.requiresVerified = requiresVerified
        self.location = location
    }

    /// Whether the node waits for caller input (and so runs no-input timers and escalation).
    public var listens: Bool {
        switch kind {
        case .menu, .collect, .confirm: return true
        case .say, .lookup, .transfer, .hangup: return false
        }
    }
}

/// The node types of the menu format.
public enum NodeKind: Sendable, Equatable {
    /// Keywords and keys lead to other nodes.
    case menu(choices: [Choice])
    /// DTMF digit entry.
    case collect(CollectSpec)
    /// Yes/no by voice or 1/2.
    case confirm(yes: String, no: String)
    /// Says its prompt (with values from the call) and goes on.
    case say(next: String)
    /// Asks the bank backend and branches on the result.
    case lookup(LookupSpec)
    /// Hands the call to a person.
    case transfer(TransferSpec)
    /// Says goodbye and hangs up.
    case hangup

    /// The type name as written in YAML.
    public var typeName: String {
        switch self {
        case .menu: return "menu"
        case .collect: return "collect"
        case .confirm: return "confirm"
        case .say: return "say"
        case .lookup: return "lookup"
        case .transfer: return "transfer"
        case .hangup: return "hangup"
        }
    }
}

/// Digit entry settings of a `collect` node.
public struct CollectSpec: Sendable, Equatable {
    /// Fewest digits accepted.
    public var minDigits: Int
    /// Most digits; entry ends by itself at this length.
    public var maxDigits: Int
    /// Key that ends the entry early.
    public var terminator: String
    /// Longest pause between digits (ms).
    public var interDigitMs: Int
    /// Masked entries never appear in events, traces or context: only `****` and the length.
    public var mask: Bool
    /// Name under which the entry is kept (`last4`, `pin`, ...).
    public var store: String
    /// Skip the node when `store` already holds a value (e.g. card digits already given).
    public var skipIfKnown: Bool
    /// Where to go with the entry.
    public var next: String
}

/// The backend requests a `lookup` node can make.
public enum LookupKind: String, Sendable, Equatable, CaseIterable {
    /// `verifyIdentity` with the stored `last4` and `pin`.
    case verifyIdentity = "verify_identity"
    /// `balance` of the verified account; sets `balance`.
    case balance
    /// `blockCard` of the stored `last4`; sets `confirmation`.
    case blockCard = "block_card"
    /// `lastStatement`; sets `amount_due` and `due_date`.
    case lastStatement = "last_statement"

    /// Call values this lookup sets on success, for say segments.
    public var outputs: [String] {
        switch self {
        case .verifyIdentity: return []
        case .balance: return ["balance"]
        case .blockCard: return ["confirmation"]
        case .lastStatement: return ["amount_due", "due_date"]
        }
    }
}

/// Settings of a `lookup` node.
public struct LookupSpec: Sendable, Equatable {
    /// What to ask.
    public var request: LookupKind
    /// Where to go on success; `return` goes back to the node that asked for identification.
    public var next: String
    /// Where to go when the bank says no (wrong PIN); only for `verify_identity`.
    public var onReject: String?
    /// Where to go when the backend fails; defaults to `defaults.backend_failure`.
    public var onFailure: String
}

/// Settings of a `transfer` node.
public struct TransferSpec: Sendable, Equatable {
    /// Agent queue name.
    public var queue: String
    /// Why the caller is transferred (`agent_request`, `loan`, `complaint`, ...).
    public var reason: String
    /// Queue priority, higher is served first; 0 is normal.
    public var priority: Int
}

/// The prompts of a node. `reprompt` and `full` fall back to `initial`.
public struct NodePrompts: Sendable, Equatable {
    /// Played on entry.
    public var initial: PromptTemplate?
    /// Played on entry instead of `initial` for assisted callers (keys first, agent offered).
    public var assisted: PromptTemplate?
    /// First reprompt (short).
    public var reprompt: PromptTemplate?
    /// Second reprompt (full, lists the keys).
    public var full: PromptTemplate?

    /// Prompts.
    public init(initial: PromptTemplate? = nil, assisted: PromptTemplate? = nil,
                reprompt: PromptTemplate? = nil, full: PromptTemplate? = nil) {
        self.initial = initial
        self.assisted = assisted
        self.reprompt = reprompt
        self.full = full
    }

    /// Every template, for validation.
    public var all: [PromptTemplate] { [initial, assisted, reprompt, full].compactMap { $0 } }
}

/// A prompt as written in the menu: catalog prompt ids and values of the call, in order.
public struct PromptTemplate: Sendable, Equatable {
    /// The pieces.
    public var segments: [SegmentTemplate]

    /// A template.
    public init(_ segments: [SegmentTemplate]) { self.segments = segments }

    /// The first catalog prompt id: names the prompt in traces.
    public var primaryID: String {
        for segment in segments { if case .prompt(let id, _) = segment { return id } }
        return "values"
    }
}

/// One piece of a `PromptTemplate`.
public enum SegmentTemplate: Sendable, Equatable {
    /// A catalog prompt.
    case prompt(String, SourceLocation)
    /// A call value read as money (`{currency: balance}`).
    case currency(String, SourceLocation)
    /// A call value read digit by digit (`{digits: confirmation}`).
    case digits(String, SourceLocation)
    /// A call value read as a number (`{number: x}`).
    case number(String, SourceLocation)
    /// A call value read as a date (`{date: due_date}`).
    case date(String, SourceLocation)
    /// A pause (`{silence: 300}`).
    case silence(Int)
}
