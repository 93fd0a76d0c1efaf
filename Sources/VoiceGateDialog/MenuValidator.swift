/// The semantic checks of a menu: references, reachability, ambiguous keys and phrases,
/// prompts missing in a language, intents without a route. Every problem carries the
/// `file:line:column` of what is wrong.
public enum MenuValidator {
    /// The target that ends the identification flow and goes back to the node that asked for it.
    public static let returnTarget = "return"

    /// Every problem of `menu`; empty when it is good.
    /// - Parameter promptIDs: prompt ids per language (keys of `Prompts/<lang>/*.yaml`); nil skips the prompt check.
    public static func validate(_ menu: Menu, promptIDs: [Language: Set<String>]?) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        let nodeIDs = Set(menu.nodes.keys)
        func checkRef(_ target: String, at location: SourceLocation, allowReturn: Bool = false) {
            if allowReturn, target == returnTarget { return }
            if !nodeIDs.contains(target) { problems.append(ConfigProblem(location, "unknown node '\(target)'")) }
        }
        let defaultsLocation = menu.startLocation
        checkRef(menu.start, at: menu.startLocation)
        // The backend-failure node is needed only where something asks the backend.
        let hasLookups = menu.nodes.values.contains { if case .lookup = $0.kind { return true } else { return false } }
        var entryPoints = [("main_menu", menu.defaults.mainMenu), ("agent", menu.defaults.agent)]
        if hasLookups { entryPoints.append(("backend_failure", menu.defaults.backendFailure)) }
        for (name, target) in entryPoints where !nodeIDs.contains(target) {
            problems.append(ConfigProblem(defaultsLocation, "defaults.\(name) names unknown node '\(target)'"))
        }
        if let start = menu.identification.start { checkRef(start, at: defaultsLocation) }
        if let agent = menu.nodes[menu.defaults.agent], case .transfer = agent.kind {} else if nodeIDs.contains(menu.defaults.agent) {
            problems.append(ConfigProblem(menu.nodes[menu.defaults.agent]!.location, "defaults.agent must be a transfer node"))
        }

        let intentNames = Set(menu.intents.map(\.name))
        var routedIntents: Set<String> = []
        func checkChoices(_ choices: [Choice]) {
            for choice in choices {
                routedIntents.insert(choice.intent)
                if !intentNames.contains(choice.intent) {
                    problems.append(ConfigProblem(choice.location, "unknown intent '\(choice.intent)'"))
                }
                if case .node(let target) = choice.target { checkRef(target, at: choice.location) }
            }
        }
        checkChoices(menu.globalChoices)
        let globalKeys = Set(menu.globalChoices.compactMap(\.dtmf))
        for node in menu.nodes.values.sorted(by: { $0.location.line < $1.location.line }) {
            func at(_ field: String) -> SourceLocation { node.fieldLocations[field] ?? node.location }
            if let escalateTo = node.escalateTo { checkRef(escalateTo, at: at("escalate_to")) }
            switch node.kind {
            case .menu(let choices):
                checkChoices(choices)
                problems += duplicateKeys(choices + menu.globalChoices, node: node)
                problems += duplicatePhrases(choices + menu.globalChoices, menu: menu, node: node)
            case .collect(let spec):
                checkRef(spec.next, at: at("next"), allowReturn: true)
                if spec.minDigits > spec.maxDigits {
                    problems.append(ConfigProblem(node.location, "min_digits (\(spec.minDigits)) is greater than max_digits (\(spec.maxDigits))"))
                }
            case .confirm(let yes, let no):
                checkRef(yes, at: at("yes"), allowReturn: true)
                checkRef(no, at: at("no"), allowReturn: true)
                routedIntents.formUnion(["yes", "no"])
                for key in ["1", "2"] where globalKeys.contains(key) {
                    problems.append(ConfigProblem(node.location, "duplicate DTMF key '\(key)': confirm nodes use 1 for yes and 2 for no"))
                }
                let confirmChoices = [Choice(intent: "yes", dtmf: "1", target: .node(yes), language: nil, location: node.location),
                                      Choice(intent: "no", dtmf: "2", target: .node(no), language: nil, location: node.location)]
                problems += duplicatePhrases(confirmChoices + menu.globalChoices, menu: menu, node: node)
            case .say(let next):
                checkRef(next, at: at("next"), allowReturn: true)
            case .lookup(let spec):
                checkRef(spec.next, at: at("next"), allowReturn: true)
                if let reject = spec.onReject { checkRef(reject, at: at("on_reject")) }
                checkRef(spec.onFailure, at: at("on_failure"))
            case .transfer(let spec):
                if spec.queue.isEmpty || spec.reason.isEmpty {
                    problems.append(ConfigProblem(node.location, "transfer needs a queue and a reason"))
                }
            case .hangup:
                break
            }
            problems += checkValues(node, menu: menu)
        }
        // Lookups read masked entries by name; a menu that never collects them cannot work.
        let stores = Set(menu.nodes.values.compactMap { node -> String? in
            if case .collect(let spec) = node.kind { return spec.store } else { return nil }
        })
        for node in menu.nodes.values {
            guard case .lookup(let spec) = node.kind else { continue }
            let needed: [String] = spec.request == .verifyIdentity ? ["last4", "pin"] : (spec.request == .blockCard ? ["last4"] : [])
            for store in needed where !stores.contains(store) {
                problems.append(ConfigProblem(node.location, "\(spec.request.rawValue) needs a collect node with 'store: \(store)'"))
            }
            if spec.request != .verifyIdentity, !node.requiresVerified {
                problems.append(ConfigProblem(node.location, "lookup '\(spec.request.rawValue)' needs 'requires: verified' (it uses the verified account)"))
            }
        }
        if let start = menu.identification.start, menu.nodes[start]?.requiresVerified == true, let node = menu.nodes[start] {
            problems.append(ConfigProblem(node.location, "the identification start node cannot itself require verification"))
        }
        for intent in menu.intents where !routedIntents.contains(intent.name) {
            problems.append(ConfigProblem(intent.location, "intent '\(intent.name)' has no route in any node"))
        }
        for intent in menu.intents {
            for language in menu.languages where (intent.phrases[language] ?? []).isEmpty {
                problems.append(ConfigProblem(intent.location, "intent '\(intent.name)' has no phrases in \(language.rawValue)"))
            }
        }
        problems += unreachable(menu)
        if let promptIDs { problems += missingPrompts(menu, promptIDs: promptIDs) }
        return MenuLoader.sorted(problems)
    }

    /// Two choices of one node on the same key make the key ambiguous.
    static func duplicateKeys(_ choices: [Choice], node: MenuNode) -> [ConfigProblem] {
        var seen: [String: Choice] = [:]
        var problems: [ConfigProblem] = []
        for choice in choices {
            guard let key = choice.dtmf else { continue }
            if let first = seen[key] {
                // Point at the node's own choice: that is the line to change.
                let at = isGlobalChoice(choice, node) ? first : choice
                problems.append(ConfigProblem(at.location, "duplicate DTMF key '\(key)' in node '\(node.id)' ('\(first.intent)' and '\(choice.intent)')"))
            } else {
                seen[key] = choice
            }
        }
        return problems
    }

    static func isGlobalChoice(_ choice: Choice, _ node: MenuNode) -> Bool {
        guard case .menu(let own) = node.kind else { return true }
        return !own.contains(choice)
    }

    /// A phrase that selects two different intents in one node is ambiguous.
    static func duplicatePhrases(_ choices: [Choice], menu: Menu, node: MenuNode) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var reported: Set<String> = []
        for language in menu.languages {
            var owner: [String: String] = [:]
            var intents: [String] = []
            for choice in choices where !intents.contains(choice.intent) { intents.append(choice.intent) }
            for name in intents {
                guard let intent = menu.intent(name) else { continue }
                for phrase in intent.phrases[language] ?? [] {
                    let key = phrase.lowercased()
                    if let other = owner[key], other != name {
                        let id = "\(language.rawValue):\(key)"
                        guard reported.insert("\(id):\(name)").inserted else { continue }
                        let at = intent.phraseLocations[id] ?? intent.location
                        problems.append(ConfigProblem(at, "duplicate phrase '\(phrase)' in node '\(node.id)' (intents '\(other)' and '\(name)')"))
                    } else {
                        owner[key] = name
                    }
                }
            }
        }
        return problems
    }

    /// Values the say segments read must be set by some lookup or collect node.
    static func checkValues(_ node: MenuNode, menu: Menu) -> [ConfigProblem] {
        var known: Set<String> = []
        for other in menu.nodes.values {
            switch other.kind {
            case .lookup(let spec): known.formUnion(spec.request.outputs)
            case .collect(let spec): known.insert(spec.store)
            default: break
            }
        }
        var problems: [ConfigProblem] = []
        for template in node.prompts.all {
            for segment in template.segments {
                switch segment {
                case .currency(let v, let at), .digits(let v, let at), .number(let v, let at), .date(let v, let at):
                    if !known.contains(v) { problems.append(ConfigProblem(at, "unknown value '\(v)' (set by no lookup or collect node)")) }
                default: break
                }
            }
        }
        return problems
    }

    /// Nodes no path from the start (or from the engine's own entry points) leads to.
    static func unreachable(_ menu: Menu) -> [ConfigProblem] {
        var roots = [menu.start, menu.defaults.mainMenu, menu.defaults.agent, menu.defaults.backendFailure]
        if let start = menu.identification.start { roots.append(start) }
        var seen: Set<String> = []
        var stack = roots.filter { menu.nodes[$0] != nil }
        for choice in menu.globalChoices { if case .node(let n) = choice.target { stack.append(n) } }
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, let node = menu.nodes[id] else { continue }
            stack += successors(node)
        }
        return menu.nodes.values.filter { !seen.contains($0.id) }
            .map { ConfigProblem($0.location, "node '\($0.id)' is unreachable") }
    }

    /// Nodes a node can lead to.
    static func successors(_ node: MenuNode) -> [String] {
        var out: [String] = node.escalateTo.map { [$0] } ?? []
        switch node.kind {
        case .menu(let choices):
            for choice in choices { if case .node(let n) = choice.target { out.append(n) } }
        case .collect(let spec): out.append(spec.next)
        case .confirm(let yes, let no): out += [yes, no]
        case .say(let next): out.append(next)
        case .lookup(let spec): out += [spec.next, spec.onFailure] + (spec.onReject.map { [$0] } ?? [])
        case .transfer, .hangup: break
        }
        return out
    }

    /// Prompt ids the menu uses, with where each is used.
    public static func promptReferences(_ menu: Menu) -> [(id: String, location: SourceLocation)] {
        var refs: [(String, SourceLocation)] = []
        for node in menu.nodes.values.sorted(by: { $0.location.line < $1.location.line }) {
            for template in node.prompts.all {
                for segment in template.segments { if case .prompt(let id, let at) = segment { refs.append((id, at)) } }
            }
        }
        for id in [menu.defaults.noMatchPrefix, menu.defaults.noInputPrefix].compactMap({ $0 }) {
            refs.append((id, menu.startLocation))
        }
        return refs
    }

    static func missingPrompts(_ menu: Menu, promptIDs: [Language: Set<String>]) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for language in menu.languages {
            let available = promptIDs[language] ?? []
            var reported: Set<String> = []
            for (id, location) in promptReferences(menu) where !available.contains(id) {
                guard reported.insert("\(id)@\(location)").inserted else { continue }
                problems.append(ConfigProblem(location, "prompt '\(id)' is missing in \(language.rawValue)"))
            }
        }
        return problems
    }
}
