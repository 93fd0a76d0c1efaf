import ArgumentParser
import Foundation
import VoiceGateMedia
import VoiceGateSpeech

/// Where the keyword model lives; shared by the commands that listen to callers.
struct KeywordOptions: ParsableArguments {
    @Option(help: "Keyword model (made by `make train-keywords`); speech is recognised when it exists.")
    var keywordModel = "Models/keywords-en.json"

    @Option(help: "Posterior a keyword needs (default: the model's tuned threshold).")
    var keywordThreshold: Double?

    @Option(help: "Phrases enrolled by `voicegate enroll-keywords` (default: enrolled-keywords-<lang>.json next to the menu, when it exists).")
    var enrolledKeywords: String?

    /// The English spotter, or nil when the model file does not exist.
    func spotter() throws -> NeuralKeywordSpotter? {
        guard FileManager.default.fileExists(atPath: keywordModel) else { return nil }
        do {
            return NeuralKeywordSpotter(model: try KeywordModel(contentsOf: keywordModel), threshold: keywordThreshold)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The call's recogniser: the spotter when the model is found; without it speech is a
    /// no-match (said on stderr so a missing model is not silent).
    func recognizer(menuFile: String) throws -> (any UtteranceRecognizer)? {
        guard let spotter = try spotter() else {
            FileHandle.standardError.write(Data("voicegate: no keyword model at \(keywordModel); speech will not be recognised (make train-keywords)\n".utf8))
            return nil
        }
        return SpotterRecognizer(spotters: [try enrolled(spotter, menuFile: menuFile) ?? spotter])
    }
}
