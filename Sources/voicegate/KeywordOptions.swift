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

    /// The call's recogniser: the spotters of the menu's languages, each with the phrases
    /// enrolled for its model; a language without a model is a no-match for speech (said on
    /// stderr so a missing model is not silent).
    func recognizer(languages: [Language], menuFile: String) throws -> (any UtteranceRecognizer)? {
        let spotters = try spotters(languages: languages)
        for language in languages where !spotters.contains(where: { $0.languages.contains(language.rawValue) }) {
            FileHandle.standardError.write(Data("voicegate: no \(language.rawValue) keyword model at \(modelPath(for: language)); \(language.rawValue) speech will not be recognised (make train-keywords)\n".utf8))
        }
        var listening: [any KeywordSpotter] = []
        for (index, spotter) in spotters.enumerated() {
            if let withEnrolled = try enrolled(spotter, menuFile: menuFile, explicit: index == 0) {
                listening.append(withEnrolled)
            } else {
                listening.append(spotter)
            }
        }
        return listening.isEmpty ? nil : SpotterRecognizer(spotters: listening)
    }
}
