import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateTestSupport

/// `voicegate simulate` with a spoken request: the keyword model is loaded and the caller who
/// says "I lost my card" reaches the card flow (issue 4, section 3).
@Suite struct SimulateSpeechTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-sim-speech-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @Test func aSpokenLostCardReachesTheCardFlow() throws {
        // The caller waits for the greeting to end, then speaks (a voice held out of training).
        let said = try #require(TelephoneSpeech.make("uh I think I lost my card", voice: "en-us+f4", lead: 6.5, trail: 6))
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: said), to: path("caller.wav"))
        let r = try runVoicegate([
            "simulate", "--caller", path("caller.wav"), "--heard", path("heard.wav"), "--trace", path("trace.jsonl"),
            "--max-seconds", "20",
            "--menu", root.appendingPathComponent("Config/menu.yaml").path,
            "--prompts", root.appendingPathComponent("Prompts").path,
            "--keyword-model", root.appendingPathComponent("Models/keywords-en.json").path,
            "--bank", path("bank.sqlite"), "--cache", path("cache"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let trace = try String(contentsOfFile: path("trace.jsonl"), encoding: .utf8)
        #expect(trace.contains(#""type":"intent","node":"greeting","name":"card""#), "\(trace)")
        #expect(trace.contains(#""type":"node","node":"card_last4""#))
    }
}
