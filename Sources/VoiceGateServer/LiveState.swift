public import VoiceGateDialog
public import VoiceGatePrompts

/// A prompt text's identity: its id and language (`prompt_versions.name`, `.language`).
public struct PromptKey: Hashable, Sendable, CustomStringConvertible {
    /// The prompt id (`greeting`).
    public var id: String
    /// Its language.
    public var language: Language

    /// A key; see the properties.
    public init(id: String, language: Language) {
        self.id = id
        self.language = language
    }

    public var description: String { "\(id)/\(language.rawValue)" }
}

/// One menu version ready to run: its YAML, its `menu_versions` id (nil without a store) and
/// the engine built from it.
public struct LiveMenu: Sendable {
    /// `menu_versions.id`, nil when no store records versions.
    public var version: Int64?
    /// The YAML it was loaded from.
    public var yaml: String
    /// The engine running it.
    public var engine: DialogEngine

    /// A menu version; see the properties.
    public init(version: Int64?, yaml: String, engine: DialogEngine) {
        self.version = version
        self.yaml = yaml
        self.engine = engine
    }
}

/// What new calls get, as a value: the current menu, an optional canary menu for a share of
/// new calls, and the prompt catalog with the version of each text. Changing it never touches
/// a call in progress: calls keep the `CallConfiguration` they were given at their start.
public struct LiveState: Sendable {
    /// The menu new calls run (unless they fall in the canary share).
    public var menu: LiveMenu
    /// A menu tried on `canaryPercent` % of new calls, if any.
    public var canary: LiveMenu?
    /// Share of new calls (0–100) that run `canary`, chosen by Call-ID.
    public var canaryPercent: Int = 0
    /// The prompt texts and recordings new calls play.
    public var catalog: PromptCatalog
    /// `prompt_versions.id` of each text in `catalog` (empty without a store).
    public var promptVersions: [PromptKey: Int64]

    /// A state; see the properties.
    public init(menu: LiveMenu, catalog: PromptCatalog, promptVersions: [PromptKey: Int64] = [:]) {
        self.menu = menu
        self.catalog = catalog
        self.promptVersions = promptVersions
    }

    /// The bucket 0–99 of a Call-ID: FNV-1a over its UTF-8 bytes, so the same Call-ID always
    /// lands in the same bucket (in every process, unlike `Hasher`) and Call-IDs spread evenly.
    public static func canaryBucket(callID: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in callID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % 100)
    }

    /// What a call starting now with `callID` runs, fixed for its whole life.
    public func configuration(forNewCall callID: String) -> CallConfiguration {
        var chosen = menu
        var isCanary = false
        if let canary, canaryPercent > 0, Self.canaryBucket(callID: callID) < canaryPercent {
            chosen = canary
            isCanary = true
        }
        return CallConfiguration(engine: chosen.engine, menuVersion: chosen.version, isCanary: isCanary,
                                 catalog: catalog, promptVersions: promptVersions)
    }

    /// Makes `newMenu` current for every new call (`canaryPercent` nil or 100) or the canary
    /// for that share of new calls (1–99); 0 removes the canary. Publishing a current menu
    /// also ends any canary.
    public mutating func publish(menu newMenu: LiveMenu, canaryPercent percent: Int? = nil) {
        let share = min(max(percent ?? 100, 0), 100)
        if share >= 100 {
            menu = newMenu
            canary = nil
            canaryPercent = 0
        } else if share == 0 {
            canary = nil
            canaryPercent = 0
        } else {
            canary = newMenu
            canaryPercent = share
        }
    }

    /// Makes the canary the current menu for every new call; false when there is no canary.
    @discardableResult
    public mutating func promoteCanary() -> Bool {
        guard let canary else { return false }
        publish(menu: canary)
        return true
    }

    /// Makes `text` (stored as `version`) the text of `key` for new calls.
    public mutating func publish(prompt key: PromptKey, text: String, version: Int64?) {
        catalog = catalog.replacingText(of: key.id, language: key.language, with: text,
                                        source: version.map { "version \($0)" } ?? "<published>")
        promptVersions[key] = version
    }
}

/// What one call runs from its start to its end: the engine (menu version), the prompt
/// texts and their versions. Immutable: publishing makes new ones for new calls only.
public struct CallConfiguration: Sendable {
    /// The dialog engine of the call's menu version.
    public let engine: DialogEngine
    /// `menu_versions.id` of that menu, if recorded.
    public let menuVersion: Int64?
    /// Whether the call fell in the canary share.
    public let isCanary: Bool
    /// The prompt texts the call plays.
    public let catalog: PromptCatalog
    /// `prompt_versions.id` per prompt text.
    public let promptVersions: [PromptKey: Int64]

    /// The version of `id`'s text in `language`, if recorded.
    public func promptVersion(id: String, language: Language) -> Int64? {
        promptVersions[PromptKey(id: id, language: language)]
    }

    /// `event` with the prompt version set on prompt events, so a trace names what was played.
    public func annotated(_ event: TraceEvent) -> TraceEvent {
        guard case let .prompt(id, language, _, _) = event.detail, event.promptVersion == nil,
              let version = promptVersion(id: id, language: language) else { return event }
        var copy = event
        copy.promptVersion = version
        return copy
    }
}
