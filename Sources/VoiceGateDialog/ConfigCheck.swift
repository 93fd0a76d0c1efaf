/// The whole `voicegate check-config` check on file contents (the CLI reads the files):
/// server config, prompt files and the menu, every problem as `file:line:column: message`.
public enum ConfigCheck {
    /// One prompt file's text.
    public struct PromptFile: Sendable {
        /// Its language (the folder `Prompts/<lang>/`).
        public var language: Language
        /// The path used in problems.
        public var file: String
        /// The YAML text.
        public var text: String
        /// A prompt file.
        public init(language: Language, file: String, text: String) {
            self.language = language
            self.file = file
            self.text = text
        }
    }

    /// The result of a check.
    public struct Report: Sendable {
        /// Every problem, config first, then prompts, then the menu.
        public var problems: [ConfigProblem]
        /// The menu, when it loaded cleanly.
        public var menu: Menu?
        /// Prompt ids found per language.
        public var promptIDs: [Language: Set<String>]
        /// Whether everything is clean.
        public var ok: Bool { problems.isEmpty }
    }

    /// Checks everything.
    /// - Parameters:
    ///   - config: `(file, text)` of the server configuration, if checked.
    ///   - menu: `(file, text)` of the menu.
    ///   - prompts: every prompt file.
    public static func run(config: (file: String, text: String)?, menu: (file: String, text: String),
                           prompts: [PromptFile]) -> Report {
        var problems: [ConfigProblem] = []
        if let config { problems += ServerConfigCheck.problems(yaml: config.text, file: config.file) }
        var ids: [Language: Set<String>] = [:]
        for language in Language.allCases { if prompts.contains(where: { $0.language == language }) { ids[language] = [] } }
        for prompt in prompts {
            switch PromptIDReader.ids(yaml: prompt.text, file: prompt.file) {
            case .success(let found): ids[prompt.language, default: []].formUnion(found.keys)
            case .failure(let error): problems += error.problems
            }
        }
        var loaded: Menu?
        switch MenuLoader.load(yaml: menu.text, file: menu.file, promptIDs: ids) {
        case .success(let m): loaded = m
        case .failure(let error): problems += error.problems
        }
        return Report(problems: problems, menu: loaded, promptIDs: ids)
    }
}
