import Yams

/// Loads `Config/menu.yaml` with Yams' node API so every value keeps its line and column.
/// Loading runs the structural checks and `MenuValidator`; it returns either a complete
/// `Menu` or every problem found, never a half-loaded menu.
public enum MenuLoader {
    /// Parses and validates a menu.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the name used in problems (`Config/menu.yaml`).
    ///   - promptIDs: prompt ids available per language; when given, every prompt the menu
    ///     uses must exist in every menu language.
    public static func load(yaml: String, file: String,
                            promptIDs: [Language: Set<String>]? = nil) -> Result<Menu, ConfigProblems> {
        var parser = MenuParser(reading: YAMLReading(file: file))
        guard let root = parser.reading.compose(yaml), let menu = parser.parseMenu(root),
              parser.reading.problems.isEmpty else {
            return .failure(ConfigProblems(sorted(parser.reading.problems)))
        }
        let problems = MenuValidator.validate(menu, promptIDs: promptIDs)
        return problems.isEmpty ? .success(menu) : .failure(ConfigProblems(sorted(problems)))
    }

    /// Problems in file order, which is how people read and fix them.
    static func sorted(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated().sorted { a, b in
            let (l, r) = (a.element.location, b.element.location)
            if l.file != r.file { return l.file < r.file }
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// The structural half of loading: YAML nodes to model values, reporting unknown fields,
/// wrong types and bad values.
struct MenuParser {
    var reading: YAMLReading

    static let topKeys: Set<String> = ["name", "languages", "start", "defaults", "identification",
                                       "frustration", "intents", "global", "nodes"]
    static let defaultKeys: Set<String> = ["noinput_ms", "interdigit_ms", "max_noinput", "max_nomatch",
                                           "terminator", "barge_in", "backend_timeout_ms", "profile_timeout_ms",
                                           "main_menu", "agent", "backend_failure", "nomatch_prefix", "noinput_prefix"]
    static let commonNodeKeys: Set<String> = ["type", "prompt", "prompts", "barge_in", "barge_in_energy", "noinput_ms",
                                              "max_noinput", "max_nomatch", "escalate_to", "requires"]
    static let nodeKeys: [String: Set<String>] = [
        "menu": ["choices"],
        "collect": ["min_digits", "max_digits", "terminator", "interdigit_ms", "mask", "store", "skip_if_known", "next"],
        "confirm": ["yes", "no"],
        "say": ["next"],
        "lookup": ["request", "next", "on_reject", "on_failure"],
        "transfer": ["queue", "reason", "priority"],
        "hangup": [],
    ]

    mutating func parseMenu(_ root: Node) -> Menu? {
        guard let top = reading.mapping(root, "the menu file") else { return nil }
        reading.checkKeys(top, known: Self.topKeys, in: "the menu file")
        func value(_ key: String) -> Node? { top.first { $0.key == key }?.value }

        var defaults = MenuDefaults()
        if let node = value("defaults") { parseDefaults(node, into: &defaults) }

        var languages: [Language] = [.en]
        if let node = value("languages"), let list = reading.strings(node, "languages") {
            languages = []
            for (code, item) in list {
                if let lang = Language(rawValue: code) { languages.append(lang) } else {
                    reading.report(item, "unknown language '\(code)' (known: \(Language.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
        }
        let name = value("name").flatMap { reading.string($0, "name") } ?? "menu"
        var start = ""
        if let node = value("start") { start = reading.string(node, "start") ?? "" } else {
            reading.report(root, "missing field 'start' (the first node of a call)")
        }

        var identification = IdentificationPolicy()
        if let node = value("identification"), let pairs = reading.mapping(node, "identification") {
            reading.checkKeys(pairs, known: ["start", "max_attempts"], in: "identification")
            for pair in pairs {
                switch pair.key {
                case "start": identification.start = reading.string(pair.value, "identification.start")
                case "max_attempts": if let v = positive(pair.value, "identification.max_attempts") { identification.maxAttempts = v }
                default: break
                }
            }
        }
        var frustration = FrustrationPolicy()
        if let node = value("frustration"), let pairs = reading.mapping(node, "frustration") {
            reading.checkKeys(pairs, known: ["intents", "repeats", "loud_nomatches"], in: "frustration")
            for pair in pairs {
                switch pair.key {
                case "intents": if let list = reading.strings(pair.value, "frustration.intents") { frustration.intents = list.map(\.0) }
                case "repeats": if let v = positive(pair.value, "frustration.repeats") { frustration.repeats = v }
                case "loud_nomatches": if let v = positive(pair.value, "frustration.loud_nomatches") { frustration.loudNoMatches = v }
                default: break
                }
            }
        }

        var intents: [IntentDefinition] = []
        if let node = value("intents"), let pairs = reading.mapping(node, "intents") {
            for pair in pairs { if let intent = parseIntent(pair.key, pair.keyNode, pair.value) { intents.append(intent) } }
        } else if value("intents") == nil {
            reading.report(root, "missing field 'intents'")
        }

        var globals: [Choice] = []
        if let node = value("global") { globals = parseChoices(node, "global") }

        var nodes: [String: MenuNode] = [:]
        if let node = value("nodes"), let pairs = reading.mapping(node, "nodes") {
            for pair in pairs {
                if let parsed = parseNode(pair.key, pair.keyNode, pair.value, defaults: defaults) { nodes[pair.key] = parsed }
            }
        } else if value("nodes") == nil {
            reading.report(root, "missing field 'nodes'")
        }
        if languages.isEmpty { reading.report(value("languages"), "languages must list at least one language") }
        return Menu(name: name, languages: languages, start: start, defaults: defaults, intents: intents,
                    globalChoices: globals, identification: identification, frustration: frustration, nodes: nodes,
                    startLocation: reading.location(value("start") ?? root))
    }

    mutating func positive(_ node: Node, _ what: String) -> Int? {
        guard let v = reading.nonNegativeInt(node, what) else { return nil }
        if v == 0 { reading.report(node, "\(what) must be at least 1"); return nil }
        return v
    }

    mutating func parseDefaults(_ node: Node, into defaults: inout MenuDefaults) {
        guard let pairs = reading.mapping(node, "defaults") else { return }
        reading.checkKeys(pairs, known: Self.defaultKeys, in: "defaults")
        for pair in pairs {
            let what = "defaults.\(pair.key)"
            switch pair.key {
            case "noinput_ms": if let v = reading.nonNegativeInt(pair.value, what) { defaults.noInputMs = v }
            case "interdigit_ms": if let v = reading.nonNegativeInt(pair.value, what) { defaults.interDigitMs = v }
            case "max_noinput": if let v = positive(pair.value, what) { defaults.maxNoInput = v }
            case "max_nomatch": if let v = positive(pair.value, what) { defaults.maxNoMatch = v }
            case "terminator": if let v = terminator(pair.value, what) { defaults.terminator = v }
            case "barge_in": if let v = reading.bool(pair.value, what) { defaults.bargeIn = v }
            case "backend_timeout_ms": if let v = positive(pair.value, what) { defaults.backendTimeoutMs = v }
            case "profile_timeout_ms": if let v = positive(pair.value, what) { defaults.profileTimeoutMs = v }
            case "main_menu": if let v = reading.string(pair.value, what) { defaults.mainMenu = v }
            case "agent": if let v = reading.string(pair.value, what) { defaults.agent = v }
            case "backend_failure": if let v = reading.string(pair.value, what) { defaults.backendFailure = v }
            case "nomatch_prefix": defaults.noMatchPrefix = reading.string(pair.value, what)
            case "noinput_prefix": defaults.noInputPrefix = reading.string(pair.value, what)
            default: break
            }
        }
    }

    mutating func terminator(_ node: Node, _ what: String) -> String? {
        guard let v = reading.string(node, what) else { return nil }
        guard ["#", "*"].contains(v) else { reading.report(node, "\(what) must be '#' or '*'"); return nil }
        return v
    }

    mutating func parseIntent(_ name: String, _ keyNode: Node, _ node: Node) -> IntentDefinition? {
        guard let pairs = reading.mapping(node, "intent '\(name)'") else { return nil }
        var phrases: [Language: [String]] = [:]
        var locations: [String: SourceLocation] = [:]
        var thresholdsNode: Node?
        for pair in pairs {
            if pair.key == "thresholds" { thresholdsNode = pair.value; continue }
            guard let lang = Language(rawValue: pair.key) else {
                reading.report(pair.keyNode, "unknown language '\(pair.key)' in intent '\(name)'")
                continue
            }
            guard let list = reading.strings(pair.value, "phrases of '\(name)'") else { continue }
            phrases[lang] = list.map(\.0)
            for (phrase, item) in list { locations["\(lang.rawValue):\(phrase.lowercased())"] = reading.location(item) }
        }
        var intent = IntentDefinition(name: name, phrases: phrases, location: reading.location(keyNode))
        intent.phraseLocations = locations
        if let thresholdsNode { intent.thresholds = parseThresholds(thresholdsNode, intent: name, phrases: phrases) }
        return intent
    }

    /// `thresholds: {en: {"lost my card": 0.35}}` of intent `name`: per language, phrases of
    /// the intent with the posterior each needs, strictly between 0 and 1.
    mutating func parseThresholds(_ node: Node, intent name: String, phrases: [Language: [String]]) -> [Language: [String: Double]] {
        var out: [Language: [String: Double]] = [:]
        guard let languages = reading.mapping(node, "thresholds of '\(name)'") else { return out }
        for language in languages {
            guard let lang = Language(rawValue: language.key) else {
                reading.report(language.keyNode, "unknown language '\(language.key)' in thresholds of '\(name)'")
                continue
            }
            guard let entries = reading.mapping(language.value, "thresholds.\(lang.rawValue) of '\(name)'") else { continue }
            for entry in entries {
                guard (phrases[lang] ?? []).contains(entry.key) else {
                    reading.report(entry.keyNode, "threshold for '\(entry.key)', which is not a \(lang.rawValue) phrase of intent '\(name)'")
                    continue
                }
                guard case .scalar(let scalar) = entry.value, let value = Double(scalar.string),
                      value > 0, value < 1 else {
                    reading.report(entry.value, "threshold of '\(entry.key)' must be a number between 0 and 1, exclusive (got '\(entry.value.scalar?.string ?? "")')")
                    continue
                }
                out[lang, default: [:]][entry.key] = value
            }
        }
        return out
    }

    mutating func parseChoices(_ node: Node, _ owner: String) -> [Choice] {
        guard case .sequence(let seq) = node else {
            reading.report(node, "choices of \(owner) must be a list")
            return []
        }
        var out: [Choice] = []
        for item in seq {
            guard let pairs = reading.mapping(item, "a choice of \(owner)") else { continue }
            reading.checkKeys(pairs, known: ["intent", "dtmf", "next", "action", "language"], in: "a choice of \(owner)")
            var intent: String?
            var dtmf: String?
            var target: ChoiceTarget?
            var language: Language?
            for pair in pairs {
                switch pair.key {
                case "intent": intent = reading.string(pair.value, "intent")
                case "dtmf":
                    if let key = reading.string(pair.value, "dtmf") {
                        if key.count == 1, "0123456789*#".contains(key) { dtmf = key } else {
                            reading.report(pair.value, "dtmf must be one key of 0-9, * or # (got '\(key)')")
                        }
                    }
                case "next": if let n = reading.string(pair.value, "next") { target = .node(n) }
                case "action":
                    if let a = reading.string(pair.value, "action") {
                        if a == "repeat" { target = .repeatPrompt } else { reading.report(pair.value, "unknown action '\(a)' (known: repeat)") }
                    }
                case "language":
                    if let code = reading.string(pair.value, "language") {
                        language = Language(rawValue: code)
                        if language == nil { reading.report(pair.value, "unknown language '\(code)'") }
                    }
                default: break
                }
            }
            guard let intent else { reading.report(item, "a choice of \(owner) needs an 'intent'"); continue }
            guard let target else {
                reading.report(item, "intent '\(intent)' has no route in \(owner) (add 'next:' or 'action: repeat')")
                continue
            }
            out.append(Choice(intent: intent, dtmf: dtmf, target: target, language: language, location: reading.location(item)))
        }
        return out
    }

    mutating func parsePrompt(_ node: Node, _ what: String) -> PromptTemplate? {
        switch node {
        case .scalar:
            guard let id = reading.string(node, what) else { return nil }
            return PromptTemplate([.prompt(id, reading.location(node))])
        case .sequence(let seq):
            var segments: [SegmentTemplate] = []
            for item in seq {
                if case .scalar = item {
                    if let id = reading.string(item, what) { segments.append(.prompt(id, reading.location(item))) }
                    continue
                }
                guard let pairs = reading.mapping(item, "a segment of \(what)"), pairs.count == 1, let pair = pairs.first else {
                    reading.report(item, "a segment of \(what) is a prompt id or one of {currency|digits|number|date|silence: value}")
                    continue
                }
                let at = reading.location(pair.value)
                switch pair.key {
                case "silence": if let ms = reading.nonNegativeInt(pair.value, "silence") { segments.append(.silence(ms)) }
                case "currency": if let v = reading.string(pair.value, "currency") { segments.append(.currency(v, at)) }
                case "digits": if let v = reading.string(pair.value, "digits") { segments.append(.digits(v, at)) }
                case "number": if let v = reading.string(pair.value, "number") { segments.append(.number(v, at)) }
                case "date": if let v = reading.string(pair.value, "date") { segments.append(.date(v, at)) }
                default: reading.report(pair.keyNode, "unknown segment '\(pair.key)' (known: currency, digits, number, date, silence)")
                }
            }
            if segments.isEmpty { reading.report(node, "\(what) is empty"); return nil }
            return PromptTemplate(segments)
        default:
            reading.report(node, "\(what) must be a prompt id or a list of segments")
            return nil
        }
    }

    mutating func parsePrompts(_ node: Node, _ owner: String) -> NodePrompts {
        var prompts = NodePrompts()
        guard case .mapping = node else {
            prompts.initial = parsePrompt(node, "prompt of \(owner)")
            return prompts
        }
        guard let pairs = reading.mapping(node, "prompts of \(owner)") else { return prompts }
        reading.checkKeys(pairs, known: ["initial", "assisted", "reprompt", "full"], in: "prompts of \(owner)")
        for pair in pairs {
            let template = parsePrompt(pair.value, "prompts.\(pair.key) of \(owner)")
            switch pair.key {
            case "initial": prompts.initial = template
            case "assisted": prompts.assisted = template
            case "reprompt": prompts.reprompt = template
            case "full": prompts.full = template
            default: break
            }
        }
        return prompts
    }

    mutating func parseNode(_ id: String, _ keyNode: Node, _ node: Node, defaults: MenuDefaults) -> MenuNode? {
        let owner = "node '\(id)'"
        guard let pairs = reading.mapping(node, owner) else { return nil }
        func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
        guard let typeNode = value("type") else { reading.report(node, "\(owner) has no 'type'"); return nil }
        guard let type = reading.string(typeNode, "type"), let specific = Self.nodeKeys[type] else {
            reading.report(typeNode, "unknown node type '\(typeNode.scalar?.string ?? "")' (known: \(Self.nodeKeys.keys.sorted().joined(separator: ", ")))")
            return nil
        }
        reading.checkKeys(pairs, known: Self.commonNodeKeys.union(specific), in: "\(type) \(owner)")
        let location = reading.location(keyNode)
        var prompts = NodePrompts()
        if let p = value("prompts") { prompts = parsePrompts(p, owner) }
        if let p = value("prompt") { prompts.initial = parsePrompt(p, "prompt of \(owner)") }
        let bargeIn = value("barge_in").flatMap { reading.bool($0, "barge_in") } ?? defaults.bargeIn
        let noInputMs = value("noinput_ms").flatMap { reading.nonNegativeInt($0, "noinput_ms") } ?? defaults.noInputMs
        let maxNoInput = value("max_noinput").flatMap { positive($0, "max_noinput") } ?? defaults.maxNoInput
        let maxNoMatch = value("max_nomatch").flatMap { positive($0, "max_nomatch") } ?? defaults.maxNoMatch
        let escalateTo = value("escalate_to").flatMap { reading.string($0, "escalate_to") }
        var requiresVerified = false
        if let r = value("requires"), let s = reading.string(r, "requires") {
            if s == "verified" { requiresVerified = true } else { reading.report(r, "requires must be 'verified'") }
        }
        func required(_ key: String) -> String? {
            guard let n = value(key) else { reading.report(node, "\(type) \(owner) needs '\(key)'"); return nil }
            return reading.string(n, key)
        }

        let kind: NodeKind
        switch type {
        case "menu":
            guard let c = value("choices") else { reading.report(node, "menu \(owner) needs 'choices'"); return nil }
            kind = .menu(choices: parseChoices(c, owner))
        case "collect":
            let minDigits = value("min_digits").flatMap { positive($0, "min_digits") } ?? 1
            let maxDigits = value("max_digits").flatMap { positive($0, "max_digits") } ?? minDigits
            if minDigits > maxDigits, let n = value("min_digits") {
                reading.report(n, "min_digits (\(minDigits)) is greater than max_digits (\(maxDigits))")
            }
            let term = value("terminator").flatMap { terminator($0, "terminator") } ?? defaults.terminator
            let interDigit = value("interdigit_ms").flatMap { reading.nonNegativeInt($0, "interdigit_ms") } ?? defaults.interDigitMs
            let mask = value("mask").flatMap { reading.bool($0, "mask") } ?? false
            let skip = value("skip_if_known").flatMap { reading.bool($0, "skip_if_known") } ?? false
            guard let store = required("store"), let next = required("next") else { return nil }
            kind = .collect(CollectSpec(minDigits: minDigits, maxDigits: maxDigits, terminator: term, interDigitMs: interDigit,
                                        mask: mask, store: store, skipIfKnown: skip, next: next))
        case "confirm":
            guard let yes = required("yes"), let no = required("no") else { return nil }
            kind = .confirm(yes: yes, no: no)
        case "say":
            guard let next = required("next") else { return nil }
            kind = .say(next: next)
        case "lookup":
            guard let requestName = required("request") else { return nil }
            guard let request = LookupKind(rawValue: requestName) else {
                reading.report(value("request"), "unknown request '\(requestName)' (known: \(LookupKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                return nil
            }
            guard let next = required("next") else { return nil }
            let onReject = value("on_reject").flatMap { reading.string($0, "on_reject") }
            if request == .verifyIdentity, onReject == nil { reading.report(node, "lookup \(owner) with verify_identity needs 'on_reject'") }
            let onFailure = value("on_failure").flatMap { reading.string($0, "on_failure") } ?? defaults.backendFailure
            kind = .lookup(LookupSpec(request: request, next: next,
                                      onReject: onReject, onFailure: onFailure))
        case "transfer":
            let queue = required("queue") ?? ""
            let reason = required("reason") ?? ""
            let priority = value("priority").flatMap { reading.nonNegativeInt($0, "priority") } ?? 0
            kind = .transfer(TransferSpec(queue: queue, reason: reason, priority: priority))
        default:
            kind = .hangup
        }
        if prompts.initial == nil, type != "lookup" {
            reading.report(node, "\(type) \(owner) needs 'prompt' (or 'prompts.initial')")
        }
        var menuNode = MenuNode(id: id, kind: kind, prompts: prompts, bargeIn: bargeIn, noInputMs: noInputMs,
                                maxNoInput: maxNoInput, maxNoMatch: maxNoMatch, escalateTo: escalateTo,
                                requiresVerified: requiresVerified, location: location)
        menuNode.bargeInEnergy = parseBargeInEnergy(value("barge_in_energy"), node: menuNode, owner: owner)
        for field in ["next", "yes", "no", "on_reject", "on_failure", "escalate_to"] {
            if let n = value(field) { menuNode.fieldLocations[field] = reading.location(n) }
        }
        return menuNode
    }
}
