/// Entering nodes, playing prompts, backend lookups and the ways a call ends.
extension Turn {
    /// Enters node `target` (or, for `return`, the node that asked for identification).
    /// `transferReason` overrides the reason of a transfer node (escalations).
    mutating func enter(_ target: String, transferReason: String? = nil) {
        var id = target
        if id == MenuValidator.returnTarget {
            id = state.returnTo ?? menu.defaults.mainMenu
            state.returnTo = nil
        }
        guard let node = menu.nodes[id] else {
            // The validator rules this out; never leave the caller in dead air anyway.
            if id != menu.defaults.agent { enter(menu.defaults.agent, transferReason: "menu_error") }
            return
        }
        if state.playing != nil { stopPlayback(.stopped) }
        state.unresolvedBargeIn = nil  // input carried into another node is judged there
        cancelTimer(.noInput)
        cancelTimer(.interDigit)
        state.node = id
        state.visit += 1
        state.noInputCount = 0
        state.noMatchCount = 0
        state.entry = ""
        state.transferReason = transferReason
        state.phase = .inNode
        record(.node)
        state.path.append(TransferContext.Step(node: id, intent: nil))

        if node.requiresVerified, !state.verified, let identify = menu.identification.start {
            state.returnTo = id
            enter(identify)
            return
        }
        switch node.kind {
        case .lookup(let spec):
            startLookup(spec)
        case .collect(let spec) where spec.skipIfKnown && known(spec.store):
            enter(spec.next)
        case .menu, .collect, .confirm:
            let visit = state.visit
            if node.bargeIn, !state.pending.isEmpty {
                // Type-ahead: the caller already answered, so the prompt is not played.
                consumePending()
                guard state.visit == visit, state.playing == nil, state.entry.isEmpty, state.phase == .inNode else { return }
            }
            playEntryPrompt(node)
        case .say:
            playEntryPrompt(node)
        case .transfer, .hangup:
            // The hold / goodbye prompt is never barged: the call is leaving the IVR.
            if let template = node.prompts.initial { play(template, bargeIn: false) } else { promptlessExit(node) }
        }
    }

    func known(_ store: String) -> Bool { state.secrets[store] != nil || state.values[store] != nil }

    mutating func playEntryPrompt(_ node: MenuNode) {
        let template = (state.assisted ? node.prompts.assisted : nil) ?? node.prompts.initial
        guard let template else { return }
        play(template, bargeIn: node.bargeIn)
    }

    /// Plays a reprompt after the `level`-th failure: 1 short, 2 and more full (lists the keys).
    mutating func reprompt(_ node: MenuNode, level: Int, prefix: String?) {
        let prompts = node.prompts
        let main = state.assisted ? (prompts.assisted ?? prompts.initial) : prompts.initial
        let chosen = level <= 1 ? (prompts.reprompt ?? main) : (prompts.full ?? prompts.reprompt ?? main)
        guard var template = chosen else { return }
        if let prefix { template.segments.insert(.prompt(prefix, node.location), at: 0) }
        play(template, bargeIn: node.bargeIn, promptID: chosen?.primaryID)
    }

    /// Plays a template; whatever played before is stopped.
    mutating func play(_ template: PromptTemplate, bargeIn: Bool, promptID: String? = nil) {
        play(Playing(playID: "", promptID: promptID ?? template.primaryID, segments: resolve(template), bargeIn: bargeIn))
    }

    mutating func play(_ prompt: Playing) {
        if state.playing != nil { stopPlayback(.stopped) }
        cancelTimer(.noInput)
        state.playSequence += 1
        var prompt = prompt
        prompt.playID = "p\(state.playSequence)"
        state.playing = prompt
        state.lastPlay = prompt
        actions.append(.play(playID: prompt.playID, segments: prompt.segments, language: state.language,
                             bargeIn: prompt.bargeIn, slow: state.assisted))
        record(.prompt(id: prompt.promptID, language: state.language, state: .started, playID: prompt.playID))
    }

    /// Stops the playing prompt: `.barged` for caller input, `.stopped` otherwise.
    mutating func stopPlayback(_ how: PromptState) {
        guard let playing = state.playing else { return }
        state.playing = nil
        actions.append(.stopPlayback(playID: playing.playID))
        record(.prompt(id: playing.promptID, language: state.language, state: how, playID: playing.playID))
    }

    /// Template to segments, reading the call's values. A value that is not set is left
    /// out rather than played wrong.
    func resolve(_ template: PromptTemplate) -> [PromptSegment] {
        template.segments.compactMap { segment -> PromptSegment? in
            switch segment {
            case .prompt(let id, _): return .prompt(id)
            case .silence(let ms): return .silence(milliseconds: ms)
            case .currency(let name, _):
                if case let .money(minor, code)? = state.values[name] { return .currency(minorUnits: minor, code: code) }
                return nil
            case .digits(let name, _):
                if let secret = state.secrets[name] { return .digits(secret) }
                switch state.values[name] {
                case .digits(let d)?: return .digits(d)
                case .number(let n)?: return .digits(String(n))
                default: return nil
                }
            case .number(let name, _):
                switch state.values[name] {
                case .number(let n)?: return .number(n)
                case .digits(let d)?: return Int64(d).map { .number($0) }
                case .money(let minor, _)?: return .number(minor)
                default: return nil
                }
            case .date(let name, _):
                if case let .date(y, m, d)? = state.values[name] { return .date(year: y, month: m, day: d) }
                return nil
            }
        }
    }

    /// A prompt finished: say nodes go on, transfer and hang-up nodes act, listening
    /// nodes take type-ahead input or start the no-input timer.
    mutating func promptFinished(_ playID: String) {
        guard let playing = state.playing, playing.playID == playID else { return }
        state.playing = nil
        record(.prompt(id: playing.promptID, language: state.language, state: .finished, playID: playID))
        guard state.phase == .inNode, let node = currentNode else { return }
        switch node.kind {
        case .say(let next): enter(next)
        case .transfer, .hangup: promptlessExit(node)
        case .menu, .collect, .confirm:
            let visit = state.visit
            consumePending()
            if state.visit == visit, state.playing == nil, state.phase == .inNode, state.entry.isEmpty {
                armTimer(.noInput, afterMs: node.noInputMs)
            }
        case .lookup: break
        }
    }

    mutating func promptlessExit(_ node: MenuNode) {
        switch node.kind {
        case .transfer(let spec): transfer(spec)
        case .hangup: hangUpByIVR()
        default: break
        }
    }

    // MARK: Backend

    mutating func startLookup(_ spec: LookupSpec) {
        let request: BackendRequest?
        switch spec.request {
        case .verifyIdentity:
            request = state.secrets["last4"].flatMap { last4 in
                state.secrets["pin"].map { .verifyIdentity(callerNumber: state.call.callerNumber, last4: last4, pin: $0) }
            }
        case .balance: request = state.accountRef.map { .balance(accountRef: $0) }
        case .blockCard:
            request = state.accountRef.flatMap { ref in state.secrets["last4"].map { .blockCard(accountRef: ref, last4: $0) } }
        case .lastStatement: request = state.accountRef.map { .lastStatement(accountRef: $0) }
        }
        guard let request else {
            record(.lookup(request: spec.request.rawValue, result: "missing_input"))
            enter(spec.onFailure)
            return
        }
        state.phase = .awaitingBackend(spec.request)
        actions.append(.lookup(request))
        record(.lookup(request: spec.request.rawValue, result: nil))
        armTimer(.backend, afterMs: menu.defaults.backendTimeoutMs)
    }

    mutating func backendResult(_ result: BackendResult) {
        switch state.phase {
        case .awaitingProfile:
            cancelTimer(.backend)
            if case let .profile(_, assisted) = result { state.assisted = assisted }
            record(.lookup(request: "customer_profile", result: Self.resultName(result)))
            state.phase = .inNode
            enter(menu.start)
        case .awaitingBackend(let kind):
            cancelTimer(.backend)
            record(.lookup(request: kind.rawValue, result: Self.resultName(result)))
            state.phase = .inNode
            lookupAnswered(kind, result)
        default:
            break  // a late answer after a timeout: the caller has moved on
        }
    }

    mutating func lookupAnswered(_ kind: LookupKind, _ result: BackendResult) {
        guard let node = currentNode, case .lookup(let spec) = node.kind else { return }
        switch (kind, result) {
        case let (.verifyIdentity, .identity(true, ref)):
            state.verified = true
            state.accountRef = ref
            state.secrets["pin"] = nil
            enter(spec.next)
        case (.verifyIdentity, .identity(false, _)):
            state.identificationFailures += 1
            state.secrets["pin"] = nil
            state.secrets["last4"] = nil
            if state.identificationFailures >= menu.identification.maxAttempts {
                enter(menu.defaults.agent, transferReason: "identification_failed")
            } else {
                enter(spec.onReject ?? menu.defaults.backendFailure)
            }
        case let (.balance, .balance(minor, code)):
            state.values["balance"] = .money(minorUnits: minor, code: code)
            state.served += 1
            enter(spec.next)
        case let (.blockCard, .cardBlocked(confirmation)):
            state.values["confirmation"] = .digits(confirmation)
            state.served += 1
            enter(spec.next)
        case let (.lastStatement, .statement(amount, code, year, month, day)):
            state.values["amount_due"] = .money(minorUnits: amount, code: code)
            state.values["due_date"] = .date(year: year, month: month, day: day)
            state.served += 1
            enter(spec.next)
        default:
            enter(spec.onFailure)  // failures, timeouts and answers that do not fit
        }
    }

    static func resultName(_ result: BackendResult) -> String {
        switch result {
        case .profile(let known, let assisted): return assisted ? "assisted" : (known ? "known" : "unknown")
        case .identity(let verified, _): return verified ? "verified" : "rejected"
        case .balance: return "balance"
        case .cardBlocked: return "card_blocked"
        case .statement: return "statement"
        case .failure(let reason): return reason == "timeout" ? "timeout" : "failure"
        }
    }

    // MARK: Endings

    /// The context the agent gets.
    func transferContext(queue: String, reason: String, priority: Int) -> TransferContext {
        TransferContext(callID: state.call.callID, ani: state.call.callerNumber, language: state.language,
                        intentPath: state.path, keywords: state.keywords, verified: state.verified,
                        maskedFields: state.maskedLengths.mapValues { String(repeating: "*", count: $0) },
                        failureCounts: state.failureCounts, identificationFailures: state.identificationFailures,
                        frustration: state.frustrated, assisted: state.assisted,
                        timeInIVRMs: atMs - state.startedAtMs, reason: reason, queue: queue, priority: priority)
    }

    mutating func transfer(_ spec: TransferSpec) {
        let reason = state.transferReason ?? spec.reason
        let context = transferContext(queue: spec.queue, reason: reason, priority: spec.priority)
        cancelAllTimers()
        actions.append(.transfer(queue: spec.queue, reason: reason, priority: spec.priority, context: context))
        record(.transfer(queue: spec.queue, reason: reason, priority: spec.priority, context: context))
        record(.hangup(by: "transfer", outcome: .transferred))
        state.phase = .ended(.transferred)
    }

    mutating func hangUpByIVR() {
        cancelAllTimers()
        let outcome: CallOutcome = state.served > 0 ? .selfServed : .failed
        actions.append(.hangUp)
        record(.hangup(by: "ivr", outcome: outcome))
        state.phase = .ended(outcome)
    }

    mutating func callerHungUp() {
        if state.playing != nil { stopPlayback(.stopped) }
        cancelAllTimers()
        let outcome: CallOutcome = state.served > 0 ? .selfServed : .abandoned
        record(.hangup(by: "caller", outcome: outcome))
        state.phase = .ended(outcome)
    }
}

extension PendingInput {
    var isDigit: Bool { if case .digit = self { return true } else { return false } }
}
