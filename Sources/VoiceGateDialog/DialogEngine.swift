/// The pure dialog engine: `(state, event) -> (state, [action])`. No IO, no clock: the
/// driver (SIP call, simulator, console) feeds events with their time and carries out the
/// actions. The same menu value can drive any number of calls concurrently.
public struct DialogEngine: Sendable {
    /// Options of the engine that are not part of the menu.
    public struct Options: Sendable, Equatable {
        /// Ask the backend for the caller profile (assisted flag) before the greeting.
        public var lookUpProfile: Bool
        /// Options; the profile is looked up by default.
        public init(lookUpProfile: Bool = true) { self.lookUpProfile = lookUpProfile }
    }

    /// The menu this engine runs.
    public let menu: Menu
    /// The engine's options.
    public let options: Options

    /// An engine for `menu`.
    public init(menu: Menu, options: Options = Options()) {
        self.menu = menu
        self.options = options
    }

    /// Starts a call at `atMs`: asks for the caller profile (the greeting waits for it, at
    /// most `defaults.profile_timeout_ms`) or enters the start node directly.
    public func start(call: CallInfo, atMs: Int64) -> (DialogState, [DialogAction]) {
        var turn = Turn(engine: self, state: DialogState(call: call, startedAtMs: atMs, language: menu.defaultLanguage), atMs: atMs)
        if options.lookUpProfile, !call.callerNumber.isEmpty {
            turn.actions.append(.lookup(.customerProfile(callerNumber: call.callerNumber)))
            turn.record(.lookup(request: "customer_profile", result: nil))
            turn.armTimer(.backend, afterMs: menu.defaults.profileTimeoutMs)
        } else {
            turn.state.phase = .inNode
            turn.enter(menu.start)
        }
        return (turn.state, turn.actions)
    }

    /// Handles one event; returns the new state and the actions to carry out, in order.
    public func handle(_ event: DialogEvent, in state: DialogState) -> (DialogState, [DialogAction]) {
        var turn = Turn(engine: self, state: state, atMs: event.atMs)
        if state.outcome != nil { return (state, []) }
        switch event.kind {
        case .speechStarted: turn.speechStarted()
        case .speechEnded: turn.speechEnded()
        case let .intent(name, confidence, source, phrase):
            turn.intentArrived(name: name, confidence: confidence, source: source, phrase: phrase)
        case .noMatch(let loud): turn.noMatchArrived(loud: loud)
        case .dtmf(let digit): turn.digitArrived(digit)
        case .promptFinished(let playID): turn.promptFinished(playID)
        case .timerFired(let id): turn.timerFired(id)
        case .backendResult(let result): turn.backendResult(result)
        case .callerHungUp: turn.callerHungUp()
        }
        return (turn.state, turn.actions)
    }

    /// What the caller can say in the current node: intents with their phrases in the
    /// call's language (a language switch also in its target language), so the media
    /// layer can restrict the keyword spotter to what counts here.
    public func expectedIntents(in state: DialogState) -> [ExpectedIntent] {
        guard state.outcome == nil, let node = menu.nodes[state.node] else { return [] }
        var out: [ExpectedIntent] = []
        for choice in choices(for: node) where !out.contains(where: { $0.intent == choice.intent }) {
            guard let definition = menu.intent(choice.intent) else { continue }
            var languages = [state.language]
            if let target = choice.language, target != state.language { languages.append(target) }
            out.append(ExpectedIntent(definition, languages: languages, dtmf: choice.dtmf))
        }
        return out
    }

    /// The choices a node listens for: its own (or yes/no), then the global ones. Collect
    /// nodes take global choices by voice only, since their keys are digits of the entry.
    func choices(for node: MenuNode) -> [Choice] {
        switch node.kind {
        case .menu(let own):
            return own + menu.globalChoices
        case let .confirm(yes, no):
            return [Choice(intent: "yes", dtmf: "1", target: .node(yes), language: nil, location: node.location),
                    Choice(intent: "no", dtmf: "2", target: .node(no), language: nil, location: node.location)]
                + menu.globalChoices
        case .collect:
            return menu.globalChoices.map { var c = $0; c.dtmf = nil; return c }
        case .say:
            return menu.globalChoices
        case .lookup, .transfer, .hangup:
            return []
        }
    }
}

/// An intent the caller may say now, for the keyword spotter.
public struct ExpectedIntent: Sendable, Equatable {
    /// The intent name.
    public var intent: String
    /// Its phrases in the languages that count now.
    public var phrases: [String]
    /// The key that selects it too, if any.
    public var dtmf: String?
    /// Tuned keyword thresholds of its phrases (phrase → posterior needed), where the menu sets them.
    public var thresholds: [String: Double] = [:]
}

/// One event's worth of work: the state being changed and the actions produced.
struct Turn {
    let engine: DialogEngine
    var state: DialogState
    let atMs: Int64
    var actions: [DialogAction] = []

    var menu: Menu { engine.menu }
    var currentNode: MenuNode? { menu.nodes[state.node] }

    init(engine: DialogEngine, state: DialogState, atMs: Int64) {
        self.engine = engine
        self.state = state
        self.atMs = atMs
    }

    mutating func record(_ detail: TraceEvent.Detail) {
        actions.append(.record(TraceEvent(atMs: atMs, node: state.node.isEmpty ? nil : state.node, detail)))
    }

    mutating func armTimer(_ kind: DialogTimerID.Kind, afterMs: Int) {
        cancelTimer(kind)
        state.timerSequence += 1
        let id = DialogTimerID(kind: kind, sequence: state.timerSequence)
        state.timers[kind] = id
        actions.append(.startTimer(id, afterMs: Int64(afterMs)))
    }

    mutating func cancelTimer(_ kind: DialogTimerID.Kind) {
        if let id = state.timers.removeValue(forKey: kind) { actions.append(.cancelTimer(id)) }
    }

    mutating func cancelAllTimers() {
        for kind in [DialogTimerID.Kind.noInput, .interDigit, .backend] { cancelTimer(kind) }
    }
}
