import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateTestSupport

/// `voicegate spot` (DESIGN.md section 5): one JSON line per file, VAD + endpointer + spotter.
@Suite struct SpotCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-spot-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func file(_ name: String, _ samples: [Int16]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: samples), to: path, encoding: .ulaw)
        return path
    }

    @Test func printsTheIntentAndTimeOfEachFile() throws {
        let said = try #require(TelephoneSpeech.make("I want to send money to my brother", voice: "en-us+f4", lead: 1.0))
        let keyword = try file("keyword.wav", said)
        let quiet = try file("quiet.wav", [Int16](repeating: 0, count: 16000))
        let r = try runVoicegate(["spot", "--menu", Self.root.appendingPathComponent("Config/menu.yaml").path,
                                  "--prompts", Self.root.appendingPathComponent("Prompts").path,
                                  "--keyword-model", Self.root.appendingPathComponent("Models/keywords-en.json").path,
                                  keyword, quiet])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 2, "stdout: \(r.stdout)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["file"] as? String == keyword)
        #expect(first["intent"] as? String == "transfer", "\(first)")
        #expect(first["keyword"] as? String == "send money", "\(first)")
        let confidence = try #require(first["confidence"] as? Double)
        #expect(confidence > 0 && confidence <= 1)
        let start = try #require(first["start_s"] as? Double), end = try #require(first["end_s"] as? Double)
        #expect(start >= 0.7 && start < end && end < Double(said.count) / 8000 + 0.1, "\(first)")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["intent"] is NSNull && second["keyword"] is NSNull && second["confidence"] is NSNull)
    }

    @Test func aMissingModelIsAClearError() throws {
        let r = try runVoicegate(["spot", "--keyword-model", dir.appendingPathComponent("none.json").path, "x.wav"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("keyword model"))
    }
}
