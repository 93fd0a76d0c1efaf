import ArgumentParser
import Foundation
import VoiceGateDialog
import VoiceGateMedia
import VoiceGateSpeech

/// Where the keyword models live; shared by the commands that listen to callers.
///
/// One model per language: `--keyword-model` and, for every other language of the menu,
/// `keywords-<language>.json` next to it (`Models/keywords-zh.json`), so a Mandarin call is
/// spotted by the Mandarin model.
struct KeywordOptions: ParsableArguments {
    @Option(help: "Keyword model (made by `make train-keywords`); speech is recognised when it exists. The menu's other languages use keywords-<language>.json in the same folder.")
    var keywordModel = "Models/keywords-en.json"

    @Option(help: "Posterior a keyword needs (default: each model's tuned threshold).")
    var keywordThreshold: Double?

    @Option(help: "Phrases enrolled by `voicegate enroll-keywords` for --keyword-model (default: enrolled-keywords-<lang>.json next to the menu, for each language's model, when it exists).")
    var enrolledKeywords: String?

    /// The spotter of `--keyword-model`, or nil when the file does not exist.
    func spotter() throws -> NeuralKeywordSpotter? {
        try spotter(at: keywordModel)
    }

    /// The spotters for `languages`: `--keyword-model` first, then the sibling model of each
    /// language it does not cover, where one exists.
    func spotters(languages: [Language]) throws -> [NeuralKeywordSpotter] {
        var found: [NeuralKeywordSpotter] = []
        if let primary = try spotter() { found.append(primary) }
        for language in languages where !found.contains(where: { $0.languages.contains(language.rawValue) }) {
            if let spotter = try spotter(at: modelPath(for: language)) { found.append(spotter) }
        }
        return found
    }

    /// Where the model of `language` is looked for: next to `--keyword-model`.
    func modelPath(for language: Language) -> String {
        let folder = (keywordModel as NSString).deletingLastPathComponent
        return (folder as NSString).appendingPathComponent("keywords-\(language.rawValue).json")
    }

    private func spotter(at path: String) throws -> NeuralKeywordSpotter? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return NeuralKeywordSpotter(model: try KeywordModel(contentsOf: path), threshold: keywordThreshold)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The spotters for `languages` (see `spotters(languages:)`), each with the phrases
    /// `voicegate enroll-keywords` enrolled for its model: `--enrolled-keywords` belongs to the
    /// `--keyword-model` spotter; every model also finds its own file next to the menu.
    func listeners(languages: [Language], menuFile: String) throws
        -> [(units: NeuralKeywordSpotter, enrolled: EnrolledKeywordSpotter?)] {
        let hasPrimary = FileManager.default.fileExists(atPath: keywordModel)
        return try spotters(languages: languages).enumerated().map { index, spotter in
            (spotter, try enrolled(spotter, menuFile: menuFile, explicit: hasPrimary && index == 0))
        }
    }

    /// The call's recogniser: the spotters of the menu's languages, each with the phrases
    /// enrolled for its model; a language without a model is a no-match for speech (said on
    /// stderr so a missing model is not silent).
    func recognizer(languages: [Language], menuFile: String) throws -> (any UtteranceRecognizer)? {
        let listeners = try listeners(languages: languages, menuFile: menuFile)
        for language in languages where !listeners.contains(where: { $0.units.languages.contains(language.rawValue) }) {
            FileHandle.standardError.write(Data("voicegate: no \(language.rawValue) keyword model at \(modelPath(for: language)); \(language.rawValue) speech will not be recognised (make train-keywords)\n".utf8))
        }
        let listening: [any KeywordSpotter] = listeners.map { listener -> any KeywordSpotter in
            if let enrolled = listener.enrolled { return enrolled }
            return listener.units
        }
        return listening.isEmpty ? nil : SpotterRecognizer(spotters: listening)
    }
}
