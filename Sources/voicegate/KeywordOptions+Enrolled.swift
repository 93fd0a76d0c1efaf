import ArgumentParser
import Foundation
import VoiceGateSpeech

extension KeywordOptions {
    /// `spotter` with the phrases `voicegate enroll-keywords` enrolled for its model: from
    /// `--enrolled-keywords`, else `enrolled-keywords-<lang>.json` next to the menu when it
    /// exists; nil when there is none.
    func enrolled(_ spotter: NeuralKeywordSpotter, menuFile: String) throws -> EnrolledKeywordSpotter? {
        let path = enrolledKeywords ?? EnrolledKeywords.defaultPath(menuFile: menuFile, language: spotter.model.language)
        guard enrolledKeywords != nil || FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return EnrolledKeywordSpotter(units: spotter, enrolled: try EnrolledKeywords(contentsOf: path, model: spotter.model))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
