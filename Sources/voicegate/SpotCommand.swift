import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateSpeech

/// `voicegate spot FILE...` (DESIGN.md section 5): the keyword in each WAV file, processed as a
/// call would be (energy VAD, endpointer, spotter), with every keyword of the menu live.
struct SpotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spot",
        abstract: "Find menu keywords in WAV files.",
        discussion: """
            Prints one JSON line per file: {"file":..,"intent":"balance"|null,"keyword":..,\
            "confidence":..,"start_s":..,"end_s":..}. Every phrase in --language (default English) of \
            every intent in the menu is live, heard by that language's model and the phrases enrolled \
            for it (main menu, confirmations, navigation). Each endpointed utterance is \
            spotted; the most confident keyword over the file that reaches its threshold (the \
            phrase's own from the menu's `thresholds:`, else the global one) is reported, with its \
            time in the file. "best" holds the most likely keyword even below the threshold (for tuning), \
            "utterances" the number of utterances the endpointer found and "segments" their audio \
            extents in the file ([start_s, end_s], pre-roll included).
            Bad files are reported on stderr as `voicegate: FILE: reason`; the exit code is then 1.
            """)

    @Argument(help: "WAV files (mono 8 or 16 kHz; 16-bit PCM, μ-law or A-law).")
    var files: [String]

    @OptionGroup var menuFiles: MenuFileOptions

    @OptionGroup var keywords: KeywordOptions

    @Option(help: "Language of the speech: its menu phrases and its model (keywords-<language>.json next to --keyword-model).")
    var language = "en"

    func run() async throws {
        guard let language = Language(rawValue: language) else {
            throw ValidationError("--language: unknown language '\(self.language)'")
        }
        guard let (spotter, enrolled) = try keywords.listeners(languages: [language], menuFile: menuFiles.menu)
            .first(where: { $0.units.languages.contains(language.rawValue) }) else {
            throw ValidationError("no \(language.rawValue) keyword model at \(keywords.modelPath(for: language)) (make train-keywords)")
        }
        let menu = try menuFiles.loadMenu()
        let vocabulary = SpotterRecognizer.vocabulary(menu.everyIntent(in: language))
        var failed = false
        for file in files {
            do {
                let clip = try WAVFile.read(path: file).resampled(to: LogMelFeatures.sampleRate)
                let line = try spot(clip, file: file, spotter: spotter, enrolled: enrolled, vocabulary: vocabulary)
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } catch {
                failed = true
                FileHandle.standardError.write(Data("voicegate: \(file): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The JSON line for one decoded file. Enrolled phrases (`voicegate enroll-keywords`)
    /// compete with the units when `enrolled` is given.
    func spot(_ clip: AudioClip, file: String, spotter: NeuralKeywordSpotter, enrolled: EnrolledKeywordSpotter?,
              vocabulary: KeywordVocabulary) throws -> Data {
        let scan = KeywordFileScan(clip, spotter: spotter, enrolled: enrolled, vocabulary: vocabulary)
        let best = scan.best
        func r(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        let accepted = scan.accepted { spotter.threshold(intent: $0, phrase: $1, in: vocabulary) }
        let object: [String: Any] = [
            "file": file,
            "intent": accepted?.intent ?? NSNull(),
            "keyword": accepted?.phrase ?? NSNull(),
            "confidence": accepted.map { r($0.posterior) } ?? NSNull(),
            "start_s": accepted.map { r($0.start) } ?? NSNull(),
            "end_s": accepted.map { r($0.end) } ?? NSNull(),
            "best": best.map { ["intent": $0.intent, "keyword": $0.phrase, "confidence": r($0.posterior)] as [String: Any] } ?? NSNull(),
            "utterances": scan.utterances,
            "segments": scan.spans.map { [r($0.start), r($0.end)] },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
