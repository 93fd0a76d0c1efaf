import ArgumentParser
import Foundation
import VoiceGateSpeech

extension KeywordOptions {
    /// `spotter` with the phrases `voicegate enroll-keywords` enrolled for its model: from
    /// `--enrolled-keywords` (for the `--keyword-model` spotter only: `explicit`), else
    /// `enrolled-keywords-<lang>.json` next to the menu when it exists; nil when there is none.
    func enrolled(_ spotter: NeuralKeywordSpotter, menuFile: String, explicit: Bool = true) throws -> EnrolledKeywordSpotter? {
        let given = explicit ? enrolledKeywords : nil
        let path = given ?? EnrolledKeywords.defaultPath(menuFile: menuFile, language: spotter.model.language)
        guard given != nil || FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return EnrolledKeywordSpotter(units: spotter, enrolled: try EnrolledKeywords(contentsOf: path, model: spotter.model))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
