import Foundation
public import VoiceGateDialog
import Yams

/// One problem in the prompt files, located as `file:line:column` like every config error.
public struct PromptFileProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file, as a path under the catalog root.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// What is wrong.
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The prompt files could not be loaded; lists every problem found, not only the first.
public struct PromptCatalogError: Error, Sendable, CustomStringConvertible {
    /// Every problem, in file order.
    public var problems: [PromptFileProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A prompt that the renderer was asked for but the catalog does not have.
public struct PromptNotFoundError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The missing id.
    public var id: String
    /// The language it was asked for in.
    public var language: Language

    /// `id` is missing in `language`.
    public init(id: String, language: Language) {
        self.id = id
        self.language = language
    }

    public var description: String {
        "no prompt '\(id)' in language '\(language.rawValue)' (no text in Prompts/\(language.rawValue)/*.yaml and no \(id).wav)"
    }
}

/// Where a prompt's audio comes from: a recording wins over synthesis of its text.
public enum PromptSource: Sendable, Equatable {
    /// A recorded WAV file.
    case recorded(path: String)
    /// Text for the speech synthesiser.
    case synthesised(text: String)
}

/// The prompts of every language: texts from every `*.yaml` directly under `<root>/<lang>/`
/// (a top-level mapping id → text) and recordings `<root>/<lang>/<id>.wav`. A value: reloading
/// makes a new catalog, so calls in progress keep the one they started with.
public struct PromptCatalog: Sendable {
    /// A prompt's text and where it was defined.
    public struct Text: Sendable, Equatable {
        /// What to say.
        public var text: String
        /// File and line of the definition, for messages.
        public var file: String
        /// 1-based line of the definition.
        public var line: Int
    }

    var texts: [Language: [String: Text]]
    private var recordings: [Language: [String: String]]

    /// A catalog from texts and recording paths given directly (embedding, tests).
    public init(texts: [Language: [String: String]], recordings: [Language: [String: String]] = [:]) {
        self.texts = texts.mapValues { $0.mapValues { Text(text: $0, file: "<memory>", line: 0) } }
        self.recordings = recordings
    }

    /// Loads `<root>/<lang>/*.yaml` and finds `<root>/<lang>/*.wav` for each language; a missing
    /// language directory is an empty language.
    /// - Throws: `PromptCatalogError` listing every YAML syntax error, non-mapping file, non-string
    ///   key or value, and id defined twice (within or across files), each with file and line.
    public static func load(root: String, languages: [Language] = Language.allCases) throws -> PromptCatalog {
        var catalog = PromptCatalog(texts: [:])
        var problems: [PromptFileProblem] = []
        let fm = FileManager.default
        for language in languages {
            let directory = (root as NSString).appendingPathComponent(language.rawValue)
            guard let names = try? fm.contentsOfDirectory(atPath: directory) else { continue }
            var texts: [String: Text] = [:]
            var recordings: [String: String] = [:]
            for name in names.sorted() {
                let path = (directory as NSString).appendingPathComponent(name)
                if name.hasSuffix(".wav") {
                    recordings[String(name.dropLast(4))] = path
                } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                    let display = "\(language.rawValue)/\(name)"
                    for (id, entry) in parse(path: path, display: display, problems: &problems) {
                        if let first = texts[id] {
                            problems.append(PromptFileProblem(
                                file: display, line: entry.line, column: 1,
                                message: "prompt id '\(id)' is already defined at \(first.file):\(first.line)"))
                        } else {
                            texts[id] = entry
                        }
                    }
                }
            }
            catalog.texts[language] = texts
            catalog.recordings[language] = recordings
        }
        if !problems.isEmpty { throw PromptCatalogError(problems: problems) }
        return catalog
    }

    /// Parses one YAML file into (id, text) pairs in file order, adding problems instead of throwing.
    static func parse(path: String, display: String, problems: inout [PromptFileProblem]) -> [(String, Text)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            problems.append(PromptFileProblem(file: display, line: 1, column: 1, message: "cannot read file"))
            return []
        }
        let yaml = String(decoding: data, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            let (line, column, message) = locate(error)
            problems.append(PromptFileProblem(file: display, line: line, column: column, message: message))
            return []
        } catch {
            problems.append(PromptFileProblem(file: display, line: 1, column: 1, message: "\(error)"))
            return []
        }
        guard let root else { return [] }  // empty file
        guard let mapping = root.mapping else {
            problems.append(PromptFileProblem(file: display, line: root.mark?.line ?? 1, column: root.mark?.column ?? 1,
                                              message: "expected a mapping of prompt id to text"))
            return []
        }
        var out: [(String, Text)] = []
        for (key, value) in mapping {
            let line = key.mark?.line ?? 0
            guard let id = key.scalar?.string, Resolver.default.resolveTag(of: key) == .str else {
                problems.append(PromptFileProblem(file: display, line: line, column: key.mark?.column ?? 1,
                                                  message: "prompt id must be a string"))
                continue
            }
            guard let scalar = value.scalar, Resolver.default.resolveTag(of: value) == .str else {
                problems.append(PromptFileProblem(
                    file: display, line: value.mark?.line ?? line, column: value.mark?.column ?? 1,
                    message: "text of prompt '\(id)' must be a string, found \(kind(of: value)) (quote it)"))
                continue
            }
            out.append((id, Text(text: scalar.string, file: display, line: line)))
        }
        return out
    }

    private static func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch Resolver.default.resolveTag(of: node) {
            case .null: return "nothing"
            case .bool: return "a boolean"
            case .int: return "a number"
            case .float: return "a number"
            default: return "\(Resolver.default.resolveTag(of: node).rawValue)"
            }
        }
    }

    private static func locate(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return (mark.line, mark.column, problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return (context.mark.line, context.mark.column,
                    "prompt id '\(duplicates.joined(separator: "', '"))' is defined more than once in this file")
        default:
            return (1, 1, "\(error)")
        }
    }

    /// The text of `id` in `language`, if any file defines it.
    public func text(of id: String, language: Language) -> String? { texts[language]?[id]?.text }

    /// The definition (text, file, line) of `id` in `language`.
    public func definition(of id: String, language: Language) -> Text? { texts[language]?[id] }

    /// The recording `<root>/<lang>/<id>.wav`, if present.
    public func recording(of id: String, language: Language) -> String? { recordings[language]?[id] }

    /// Every id with a text or a recording in `language`.
    public func ids(language: Language) -> Set<String> {
        Set(texts[language]?.keys.map { $0 } ?? []).union(recordings[language]?.keys.map { $0 } ?? [])
    }

    /// Where the audio of `id` comes from: its recording if there is one, else its text.
    /// - Throws: `PromptNotFoundError` if `id` has neither.
    public func source(of id: String, language: Language) throws -> PromptSource {
        if let path = recording(of: id, language: language) { return .recorded(path: path) }
        if let text = text(of: id, language: language) { return .synthesised(text: text) }
        throw PromptNotFoundError(id: id, language: language)
    }

    /// The text a list of fragment ids reads as, joined the way the language writes
    /// (spaces in English, none in Chinese); recorded-only fragments contribute their id.
    /// - Throws: `PromptNotFoundError` for an id with neither text nor recording.
    public func joinedText(of ids: [String], language: Language) throws -> String {
        try ids.map { id in
            if let text = text(of: id, language: language) { return text }
            if recording(of: id, language: language) != nil { return id }
            throw PromptNotFoundError(id: id, language: language)
        }.joined(separator: SayAs.separator(for: language))
    }
}
