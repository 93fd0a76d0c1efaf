import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateSpeech

/// `voicegate bench spotter`: what listening to a caller costs — the front end every 20 ms
/// plus the keyword spotter once per utterance — as a real-time factor per active call and
/// as calls one core sustains in listening states (issue 4's cost goal: ≥ 300).
///
/// The spotter's cost grows with the utterance's length and not with what is said, so it is
/// timed on utterance-length slices of the generated call (`BenchCommand.generatedCall`),
/// every unit of the model live (the largest vocabulary a node can have).
struct SpotterBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter",
        abstract: "Measure the keyword spotter's cost and calls per core while listening (see BENCHMARKS.md).")

    @Option(help: "Keyword model to time.")
    var keywordModel = "Models/keywords-en.json"

    @Option(help: "Utterance length in seconds (what the endpointer hands the spotter).")
    var utteranceSeconds = 2.0

    @Option(help: "Share of a listening call's time the caller speaks (utterances the spotter scores).")
    var speechShare = 0.3

    @Option(help: "Passes; the median pass is reported.")
    var passes = 15

    func run() async throws {
        let model: KeywordModel
        do { model = try KeywordModel(contentsOf: keywordModel) } catch { throw ValidationError("\(error)") }
        let spotter = NeuralKeywordSpotter(model: model)
        let vocabulary = KeywordVocabulary(model.classes.dropLast().enumerated().map { index, unit in
            KeywordVocabulary.Entry(intent: unit, phrases: [model.unitPhrases[index].first ?? unit])
        })
        let call = BenchCommand.generatedCall(seconds: 60)
        let length = Int(utteranceSeconds * 8000)
        let utterances = stride(from: 0, to: call.count - length, by: length).map { Array(call[$0..<($0 + length)]) }
        guard !utterances.isEmpty else { throw ValidationError("--utterance-seconds is longer than the 60 s call") }

        var found = 0
        let spotterSeconds = BenchCommand.medianSeconds(passes: passes) {
            for u in utterances where spotter.score(u, sampleRate: 8000, vocabulary: vocabulary) != nil { found += 1 }
        }
        let spotterRTF = spotterSeconds / (Double(utterances.count * length) / 8000)

        // The front end (decode + VAD/endpointer + DTMF) runs on every frame of the call.
        var ulaw = [UInt8](repeating: 0, count: call.count)
        call.withUnsafeBufferPointer { i in ulaw.withUnsafeMutableBufferPointer { o in G711.ulawEncode(i, into: o) } }
        var out = [Int16](repeating: 0, count: CallFrontEnd.frameSamples)
        var sink = 0
        let frontRTF = BenchCommand.medianSeconds(passes: passes) {
            sink &+= BenchCommand.runFrontEnd(ulaw: ulaw, into: &out)
        } / (Double(call.count) / 8000)

        let listeningRTF = frontRTF + speechShare * spotterRTF
        let report: [String: Any] = [
            "model": keywordModel,
            "utterance_s": utteranceSeconds,
            "utterances": utterances.count,
            "passes": passes,
            "spotter_rtf": (spotterRTF * 1e5).rounded() / 1e5,
            "spotter_ms_per_utterance": (spotterRTF * utteranceSeconds * 1e5).rounded() / 100,
            "front_end_rtf": (frontRTF * 1e6).rounded() / 1e6,
            "speech_share": speechShare,
            "listening_rtf_per_call": (listeningRTF * 1e5).rounded() / 1e5,
            "calls_per_core_listening": Int(1 / listeningRTF),
            "calls_per_core_continuous_speech": Int(1 / (frontRTF + spotterRTF)),
            "scored": found > 0,
            "sink": sink & 1,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
