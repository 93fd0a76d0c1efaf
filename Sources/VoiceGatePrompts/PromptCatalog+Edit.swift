public import VoiceGateDialog

extension PromptCatalog {
    /// This catalog with the text of `id` in `language` replaced (or added) by `text`: how a
    /// published prompt version becomes live. The definition is marked as coming from
    /// `source` (e.g. `version 12`) so messages say where the text came from. A recording of
    /// `id` still wins when playing; only its transcript changes.
    public func replacingText(of id: String, language: Language, with text: String,
                              source: String = "<published>") -> PromptCatalog {
        var copy = self
        copy.texts[language, default: [:]][id] = Text(text: text, file: source, line: 0)
        return copy
    }
}
