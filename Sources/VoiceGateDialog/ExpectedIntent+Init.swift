extension ExpectedIntent {
    /// An expected intent built outside the engine (keyword tests and tools that list a
    /// node's vocabulary themselves).
    public init(_ intent: String, phrases: [String], dtmf: String? = nil, thresholds: [String: Double] = [:]) {
        self.init(intent: intent, phrases: phrases, dtmf: dtmf, thresholds: thresholds)
    }

    /// `definition`'s phrases and tuned thresholds in `languages` (in that order).
    init(_ definition: IntentDefinition, languages: [Language], dtmf: String?) {
        var phrases: [String] = []
        var thresholds: [String: Double] = [:]
        for language in languages {
            phrases += definition.phrases[language] ?? []
            thresholds.merge(definition.thresholds[language] ?? [:]) { first, _ in first }
        }
        self.init(intent: definition.name, phrases: phrases, dtmf: dtmf, thresholds: thresholds)
    }
}

extension Menu {
    /// Every intent with its phrases (and tuned thresholds) in `language`, in file order,
    /// skipping intents without phrases there: the vocabulary of `voicegate spot` and
    /// `voicegate tune-keywords`, which listen for everything the menu knows.
    public func everyIntent(in language: Language) -> [ExpectedIntent] {
        intents.compactMap { definition in
            guard let phrases = definition.phrases[language], !phrases.isEmpty else { return nil }
            return ExpectedIntent(definition, languages: [language], dtmf: nil)
        }
    }
}
