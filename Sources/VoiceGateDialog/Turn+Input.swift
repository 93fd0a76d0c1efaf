/// Caller input: keys, intents, no-matches, silence, and the escalation they lead to.
extension Turn {
    /// Whether the playing prompt (if any) may be interrupted.
    var promptBlocksInput: Bool { state.playing.map { !$0.bargeIn } ?? false }

    // MARK: Keys

    mutating func digitArrived(_ digit: Character) {
        guard state.phase == .inNode, let node = currentNode, !promptBlocksInput else {
            state.pending.append(.digit(digit))  // type-ahead: kept across nodes
            return
        }
        if isRedundantTerminator(digit) { return }  // checked before it could barge the next prompt
        switch node.kind {
        case .menu, .confirm, .collect:
            barge(.dtmf)
            consumeDigit(digit, typeAhead: false)
        case .say(let next):
            state.pending.append(.digit(digit))
            if state.playing != nil {
                barge(.dtmf)
                enter(next)
            }
        case .lookup, .transfer, .hangup:
            state.pending.append(.digit(digit))
        }
    }

    /// Takes buffered input while the current node can use it.
    mutating func consumePending() {
        while !state.pending.isEmpty, state.phase == .inNode, let node = currentNode, node.listens, !promptBlocksInput {
            let input = state.pending.removeFirst()
            if case .digit(let digit) = input, isRedundantTerminator(digit) { continue }
            switch input {
            case .digit: barge(.dtmf)
            case let .intent(name, confidence, _, _): barge(.keyword, intent: name, confidence: confidence)
            }
            switch input {
            case .digit(let digit): consumeDigit(digit, typeAhead: true)
            case let .intent(name, confidence, source, phrase):
                handleIntent(name: name, confidence: confidence, source: source, phrase: phrase)
            }
        }
    }

    /// Whether `digit` is the terminator of an entry that already completed at its maximum
    /// length ("1234#" for a 4-digit field): callers often add it, and it must not reach the
    /// next node (where `#` would mean "main menu"). Only the key right after the entry counts.
    mutating func isRedundantTerminator(_ digit: Character) -> Bool {
        guard let redundant = state.redundantTerminator else { return false }
        state.redundantTerminator = nil
        return redundant.key == String(digit) && atMs <= redundant.untilMs
    }

    mutating func consumeDigit(_ digit: Character, typeAhead: Bool) {
        guard let node = currentNode else { return }
        let key = String(digit)
        if isRedundantTerminator(digit) { return }
        if case .collect(let spec) = node.kind {
            record(.dtmf(digit: spec.mask && digit.isNumber ? "*" : key, masked: spec.mask, typeAhead: typeAhead))
            bargeInTaken()  // a key of an entry is taken (a wrong entry fails later, as the entry's failure)
            collectDigit(key, spec: spec, node: node)
            return
        }
        record(.dtmf(digit: key, masked: false, typeAhead: typeAhead))
        if let choice = engine.choices(for: node).first(where: { $0.dtmf == key }) {
            record(.intent(name: choice.intent, confidence: 1, source: .dtmf))
            state.keywords.append(TransferContext.Keyword(intent: choice.intent, phrase: nil, confidence: 1, source: .dtmf))
            countEscapeRequest(choice.intent)
            take(choice)
        } else {
            failure(noInput: false, loud: false)
        }
    }

    mutating func collectDigit(_ key: String, spec: CollectSpec, node: MenuNode) {
        cancelTimer(.noInput)
        if key == spec.terminator {
            cancelTimer(.interDigit)
            if state.entry.count >= spec.minDigits { finishEntry(spec) } else { failure(noInput: false, loud: false) }
        } else if key == "*" {
            // Start over: clear the entry and say the prompt again.
            cancelTimer(.interDigit)
            state.entry = ""
            playEntryPrompt(node)
        } else if let first = key.first, first.isASCII, first.isNumber {
            state.entry += key
            if state.entry.count >= spec.maxDigits {
                cancelTimer(.interDigit)
                state.redundantTerminator = .init(key: spec.terminator, untilMs: atMs + Int64(spec.interDigitMs))
                finishEntry(spec)
            } else {
                armTimer(.interDigit, afterMs: spec.interDigitMs)
            }
        }
        // A-D are not digits of an entry: ignored.
    }

    mutating func finishEntry(_ spec: CollectSpec) {
        let entry = state.entry
        state.entry = ""
        if spec.mask {
            state.secrets[spec.store] = entry
            state.maskedLengths[spec.store] = entry.count
        } else {
            state.values[spec.store] = .digits(entry)
        }
        enter(spec.next)
    }

    // MARK: Speech

    mutating func speechStarted() {
        cancelTimer(.noInput)  // the caller is talking; the spotter will report
        energyBargeIn()
    }

    mutating func speechEnded() {
        // If the spotter reports nothing, silence must still lead somewhere.
        guard state.phase == .inNode, let node = currentNode, node.listens, state.playing == nil,
              state.entry.isEmpty, state.timers[.noInput] == nil else { return }
        armTimer(.noInput, afterMs: node.noInputMs)
    }

    mutating func intentArrived(name: String, confidence: Double, source: InputSource, phrase: String?) {
        record(.intent(name: name, confidence: confidence, source: source))
        state.keywords.append(TransferContext.Keyword(intent: name, phrase: phrase, confidence: confidence, source: source))
        countEscapeRequest(name)
        guard state.phase == .inNode, !promptBlocksInput else {
            state.pending.append(.intent(name: name, confidence: confidence, source: source, phrase: phrase))
            return
        }
        handleIntent(name: name, confidence: confidence, source: source, phrase: phrase)
    }

    /// Acts on an intent already recorded.
    mutating func handleIntent(name: String, confidence: Double, source: InputSource, phrase: String?) {
        guard let node = currentNode else { return }
        let choice = engine.choices(for: node).first { $0.intent == name }
        switch node.kind {
        case .menu, .confirm, .collect:
            if let choice {
                barge(.keyword, intent: name, confidence: confidence)
                take(choice)
            } else if state.playing == nil {
                failure(noInput: false, loud: false)
            }
            // A keyword that does not belong here while a prompt plays does not barge.
        case .say:
            if let choice, state.playing != nil {
                barge(.keyword, intent: name, confidence: confidence)
                take(choice)
            }
        case .lookup, .transfer, .hangup:
            break
        }
    }

    mutating func noMatchArrived(loud: Bool) {
        // Unrecognised speech never barges a prompt (noise and chatter must not cut it).
        guard state.phase == .inNode, let node = currentNode, node.listens, state.playing == nil else { return }
        failure(noInput: false, loud: loud)
    }

    /// Counts "agent"/"complaint" requests; enough of them set the frustration flag.
    mutating func countEscapeRequest(_ intent: String) {
        guard menu.frustration.intents.contains(intent) else { return }
        state.escapeRequests += 1
        if state.escapeRequests >= menu.frustration.repeats { state.frustrated = true }
    }

    /// Follows a choice: language switch, then repeat or the next node.
    mutating func take(_ choice: Choice) {
        bargeInTaken()
        if let last = state.path.indices.last { state.path[last].intent = choice.intent }
        if let language = choice.language { state.language = language }
        switch choice.target {
        case .repeatPrompt:
            cancelTimer(.interDigit)
            state.entry = ""
            if let last = state.lastPlay { play(last) }
        case .node(let id):
            enter(id)
        }
    }

    // MARK: Silence, timers, escalation

    mutating func timerFired(_ id: DialogTimerID) {
        guard state.timers[id.kind] == id else { return }  // cancelled or superseded
        state.timers[id.kind] = nil
        switch id.kind {
        case .backend:
            if case .awaitingBackend = state.phase {
                backendResult(.failure(reason: "timeout"))
            } else if state.phase == .awaitingProfile {
                backendResult(.failure(reason: "timeout"))
            }
        case .noInput:
            guard state.phase == .inNode, currentNode?.listens == true else { return }
            failure(noInput: true, loud: false)
        case .interDigit:
            guard state.phase == .inNode, let node = currentNode, case .collect(let spec) = node.kind else { return }
            if state.entry.count >= spec.minDigits { finishEntry(spec) } else { failure(noInput: false, loud: false) }
        }
    }

    /// A no-input or no-match in the current node, VoiceXML-style: 1st short reprompt,
    /// 2nd full reprompt, at the node's maximum escalate (agent, `max_failures`).
    mutating func failure(noInput: Bool, loud: Bool) {
        guard let node = currentNode else { return }
        cancelTimer(.noInput)
        cancelTimer(.interDigit)
        state.entry = ""
        var counts = state.failureCounts[node.id] ?? TransferContext.FailureCount()
        let count: Int
        let limit: Int
        if noInput {
            state.noInputCount += 1
            counts.noinput += 1
            count = state.noInputCount
            limit = node.maxNoInput
            record(.noInput(count: count))
        } else {
            state.noMatchCount += 1
            state.noMatchTotal += 1
            counts.nomatch += 1
            count = state.noMatchCount
            limit = node.maxNoMatch
            record(.noMatch(count: count, loud: loud))
        }
        state.failureCounts[node.id] = counts
        bargeInFailed()  // after the no-input/no-match it follows, before any escalation leaves the node
        if loud, state.noMatchTotal >= menu.frustration.loudNoMatches {
            state.frustrated = true
            enter(menu.defaults.agent, transferReason: "frustration")
        } else if count >= limit {
            if let target = node.escalateTo { enter(target) } else { enter(menu.defaults.agent, transferReason: "max_failures") }
        } else {
            reprompt(node, level: count, prefix: noInput ? menu.defaults.noInputPrefix : menu.defaults.noMatchPrefix)
        }
    }
}
