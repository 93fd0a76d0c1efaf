import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateDSP
import VoiceGatePrompts
import VoiceGateSpeech

/// End to end: `voicegate simulate` runs a whole call through the real front end (keys are
/// tones in the caller's audio), the shipped menu, the demo bank and the real prompts.
@Suite struct SimulateCommandTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-sim-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func simulate(keys: String, callerNumber: String = "+15550001") throws -> (status: Int32, stdout: String, stderr: String) {
        // The caller's line: faint noise; the keys are mixed in as tones by --dtmf.
        let line = ToneGenerator.noise(.white, duration: 8, level: -60, seed: 11)
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: line), to: path("caller.wav"))
        return try runVoicegate([
            "simulate", "--caller", path("caller.wav"), "--dtmf", keys,
            "--heard", path("heard.wav"), "--trace", path("trace.jsonl"), "--summary",
            "--menu", root.appendingPathComponent("Config/menu.yaml").path,
            "--prompts", root.appendingPathComponent("Prompts").path,
            "--bank", path("bank.sqlite"), "--cache", path("cache"), "--caller-number", callerNumber,
        ])
    }

    @Test func aBalanceCallWithKeysHearsTheBalanceAndNeverLeaksThePIN() async throws {
        // 1 = balance, then account 1234#, then PIN 4321#: each key barges the prompt playing.
        let r = try simulate(keys: "1@1.0,1@3.0,2@3.3,3@3.6,4@3.9,#@4.2,4@6.0,3@6.3,2@6.6,1@6.9,#@7.2")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["outcome"] as? String == "self_served")
        let nodes = summary?["nodes"] as? [String] ?? []
        #expect(nodes.contains("say_balance"), "nodes: \(nodes)")

        // The trace: every line JSON, the PIN and account digits nowhere but in timestamps.
        let lines = try String(contentsOfFile: path("trace.jsonl"), encoding: .utf8).split(separator: "\n")
        var started: [String: Double] = [:]
        for line in lines {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let t = try #require(object.removeValue(forKey: "t") as? Double)
            let rest = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            #expect(!rest.contains("4321") && !rest.contains("1234"), "digits in \(line)")
            if object["type"] as? String == "prompt", object["state"] as? String == "started", let id = object["id"] as? String {
                started[id] = t
            }
        }

        // The heard audio holds the balance prompt exactly as the renderer makes it, where the
        // trace says it started: "Your balance is one thousand two hundred thirty-four dollars..."
        let at = try #require(started["balance_is"])
        let heard = try WAVFile.read(path: path("heard.wav"))
        let renderer = PromptRenderer(catalog: try PromptCatalog.load(root: root.appendingPathComponent("Prompts").path),
                                      synthesizer: EspeakSynthesizer.shared, cacheDirectory: path("cache"))
        let expected = try await renderer.render([.prompt("balance_is"), .currency(minorUnits: 123_456, code: "USD")],
                                                 language: .en, sampleRate: 8000).audio.samples
        let offset = Int((at * 8000).rounded())
        #expect(expected.count > 8000 * 3, "a sentence with an amount lasts seconds")
        #expect(heard.samples.count >= offset + expected.count)
        if heard.samples.count >= offset + expected.count {
            #expect(Array(heard.samples[offset..<offset + expected.count]) == expected)
        }
    }

    @Test func aBadCallerFileOrScheduleIsAClearError() throws {
        FileManager.default.createFile(atPath: path("bad.wav"), contents: Data("not audio".utf8))
        let bad = try runVoicegate(["simulate", "--caller", path("bad.wav"), "--heard", path("h.wav"), "--trace", path("t.jsonl"),
                                    "--menu", root.appendingPathComponent("Config/menu.yaml").path,
                                    "--prompts", root.appendingPathComponent("Prompts").path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("bad.wav"))
        let schedule = try runVoicegate(["simulate", "--caller", path("bad.wav"), "--dtmf", "x@1", "--heard", path("h.wav"),
                                         "--trace", path("t.jsonl")])
        #expect(schedule.status != 0)
        #expect(schedule.stderr.contains("x@1"))
    }
}
