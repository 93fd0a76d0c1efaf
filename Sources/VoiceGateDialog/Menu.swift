/// The bank menu as data (`Config/menu.yaml`), fully resolved: defaults are already merged
/// into every node, so the engine never looks anything up twice. Build one with
/// `MenuLoader.load(yaml:file:)`; a `Menu` value is always complete and validated.
public struct Menu: Sendable, Equatable {
    /// A human name for the menu (shown by `check-config`).
    public var name: String
    /// Languages the menu speaks; the first is the default.
    public var languages: [Language]
    /// The node a call starts in.
    public var start: String
    /// Global defaults, already applied to nodes; kept for reference and documentation.
    public var defaults: MenuDefaults
    /// Every intent with its phrases per language, in file order.
    public var intents: [IntentDefinition]
    /// Choices available in every listening node (menu, confirm, collect), after the node's own.
    public var globalChoices: [Choice]
    /// How callers identify (last 4 + PIN) and when that fails.
    public var identification: IdentificationPolicy
    /// When a caller counts as frustrated and goes to an agent.
    public var frustration: FrustrationPolicy
    /// The nodes by id.
    public var nodes: [String: MenuNode]
    /// Where `start` is written.
    public var startLocation: SourceLocation

    /// The default language (the first of `languages`).
    public var defaultLanguage: Language { languages.first ?? .en }

    /// The definition of intent `name`, if any.
    public func intent(_ name: String) -> IntentDefinition? { intents.first { $0.name == name } }
}

/// Defaults for every node; per-node fields override them. Values follow what IVR users
/// know (FIELD.md): 5 s no-input, 3 s between digits, 3 failures, `#` ends entry.
public struct MenuDefaults: Sendable, Equatable {
    /// Silence after a prompt finished before a no-input event (ms). Default 5000.
    public var noInputMs: Int = 5000
    /// Longest pause between two digits of an entry (ms). Default 3000.
    public var interDigitMs: Int = 3000
    /// No-inputs in one node visit before escalating. Default 3.
    public var maxNoInput: Int = 3
    /// No-matches in one node visit before escalating. Default 3.
    public var maxNoMatch: Int = 3
    /// Key that ends a digit entry early. Default `#`.
    public var terminator: String = "#"
    /// Whether prompts stop on a keyword or digit. Default true.
    public var bargeIn: Bool = true
    /// Longest wait for the bank backend before apologising (ms). Default 4000.
    public var backendTimeoutMs: Int = 4000
    /// Longest wait for the caller profile at call start (ms). Default 1500.
    public var profileTimeoutMs: Int = 1500
    /// Node of the main menu (`main_menu` intent, `#`).
    public var mainMenu: String = "main_menu"
    /// Transfer node used for escalations (`max_failures`, `identification_failed`, frustration).
    public var agent: String = "agent"
    /// Node entered when the backend fails (apology and agent offer).
    public var backendFailure: String = "backend_failure"
    /// Prompt played before a reprompt after a no-match (e.g. "Sorry, I didn't get that.").
    public var noMatchPrefix: String? = "sorry_nomatch"
    /// Prompt played before a reprompt after a no-input (e.g. "Sorry, I didn't hear anything.").
    public var noInputPrefix: String? = "sorry_noinput"

    /// The documented defaults.
    public init() {}
}

/// An intent and the phrases that express it, per language.
public struct IntentDefinition: Sendable, Equatable {
    /// The intent name (`balance`, `agent`, ...), as the keyword spotter reports it.
    public var name: String
    /// Phrases per language.
    public var phrases: [Language: [String]]
    /// Where it is defined.
    public var location: SourceLocation
    /// Where each phrase is written, keyed `"<lang>:<lowercased phrase>"`.
    public var phraseLocations: [String: SourceLocation] = [:]
    /// Tuned keyword thresholds per language and phrase (`thresholds:`, written by
    /// `voicegate tune-keywords`); phrases not listed use the spotter's global threshold.
    public var thresholds: [Language: [String: Double]] = [:]

    /// An intent definition.
    public init(name: String, phrases: [Language: [String]], location: SourceLocation) {
        self.name = name
        self.phrases = phrases
        self.location = location
    }
}

/// What a choice does when taken.
public enum ChoiceTarget: Sendable, Equatable {
    /// Go to a node.
    case node(String)
    /// Replay the last prompt.
    case repeatPrompt
}

/// One way out of a listening node: an intent (by voice) and optionally a DTMF key.
public struct Choice: Sendable, Equatable {
    /// The intent that selects this choice.
    public var intent: String
    /// The key that selects it too (`"1"`, `"0"`, `"*"`, `"#"`), if any.
    public var dtmf: String?
    /// Where it leads.
    public var target: ChoiceTarget
    /// Switch the call to this language before going on (the `language_zh` choice).
    public var language: Language?
    /// Where it is written.
    public var location: SourceLocation

    /// A choice.
    public init(intent: String, dtmf: String?, target: ChoiceTarget, language: Language?, location: SourceLocation) {
        self.intent = intent
        self.dtmf = dtmf
        self.target = target
        self.language = language
        self.location = location
    }
}

/// Identification by last 4 digits + PIN: where it starts and how many wrong PINs are allowed.
public struct IdentificationPolicy: Sendable, Equatable {
    /// First node of the identification flow, entered when a node that `requires: verified`
    /// is reached by an unverified caller; the flow ends at a `return` target.
    public var start: String?
    /// Failed verifications before the caller goes to an agent (`identification_failed`). Default 3.
    public var maxAttempts: Int = 3

    /// A policy.
    public init(start: String? = nil, maxAttempts: Int = 3) {
        self.start = start
        self.maxAttempts = maxAttempts
    }
}

/// When a caller counts as frustrated: the same "escape" intents said repeatedly, or
/// repeated no-matches with a raised voice. A frustrated caller goes to an agent, flagged.
public struct FrustrationPolicy: Sendable, Equatable {
    /// Intents that count as asking for a person (`agent`, `complaint`).
    public var intents: [String] = ["agent", "complaint"]
    /// How many of those in one call set the frustration flag. Default 2.
    public var repeats: Int = 2
    /// No-matches in one call, the latest with a raised voice, that send the caller to an agent. Default 2.
    public var loudNoMatches: Int = 2

    /// The default policy.
    public init() {}
}
