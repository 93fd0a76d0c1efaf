import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateTestSupport

/// `voicegate enroll-keywords` (issue 4, "adding a keyword"): ops add a phrase to the menu, run
/// the command, and the phrase is live, with no recorded audio and no retraining.
@Suite struct EnrollKeywordsCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A copy of Config/ whose main menu has a new intent, "overdraft" (a word no unit of the model serves).
    func configWithOverdraft() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-enroll-\(UUID().uuidString)")
        let config = dir.appendingPathComponent("Config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        var menu = try String(contentsOf: Self.root.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
        menu = menu.replacingOccurrences(of: "  language_zh:\n", with: "  overdraft:\n    en: [overdraft]\n    zh: [透支]\n  language_zh:\n")
        let choice = "      - {intent: loan, dtmf: \"5\", next: loan}\n"
        let range = try #require(menu.range(of: choice))
        menu.replaceSubrange(range, with: choice + "      - {intent: overdraft, dtmf: \"6\", next: loan}\n")
        try menu.write(to: config.appendingPathComponent("menu.yaml"), atomically: true, encoding: .utf8)
        return config
    }

    func wav(_ dir: URL, _ name: String, _ samples: [Int16]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: samples), to: path, encoding: .ulaw)
        return path
    }

    @Test func aNewPhraseIsHeardAfterEnrollment() throws {
        let config = try configWithOverdraft()
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        let menu = config.appendingPathComponent("menu.yaml").path
        let model = Self.root.appendingPathComponent("Models/keywords-en.json").path
        let prompts = Self.root.appendingPathComponent("Prompts").path
        let spot = { (files: [String]) in
            try runVoicegate(["spot", "--menu", menu, "--prompts", prompts, "--keyword-model", model] + files)
        }
        // Voices m1 and f4 are not among enrollment's voices (KeywordEnrollmentPlan).
        let said = try #require(TelephoneSpeech.make("I have a question about my overdraft", voice: "en-us+m1"))
        let saidToo = try #require(TelephoneSpeech.make("overdraft please", voice: "en-us+f4"))
        let other = try #require(TelephoneSpeech.make("I have a question about my overcoat", voice: "en-us+m1"))
        let unit = try #require(TelephoneSpeech.make("I want to send money to my brother", voice: "en-us+f4"))
        var seed: UInt32 = 7
        let noise = (0..<24000).map { _ -> Int16 in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return Int16(truncatingIfNeeded: Int32(seed >> 20) - 2048)
        }
        let dir = config.deletingLastPathComponent()
        let files = [try wav(dir, "said.wav", said), try wav(dir, "said2.wav", saidToo), try wav(dir, "other.wav", other),
                     try wav(dir, "unit.wav", unit), try wav(dir, "noise.wav", noise)]

        // Before: the phrase is not live.
        let before = try spot([files[0]])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(!before.stdout.contains("\"intent\":\"overdraft\""), "\(before.stdout)")

        let started = Date()
        let enroll = try runVoicegate(["enroll-keywords", "--config", config.path, "--model", model, "--prompts", prompts])
        #expect(enroll.status == 0, "\(enroll.stderr)")
        #expect(Date().timeIntervalSince(started) < 240, "enrollment took \(Date().timeIntervalSince(started)) s")
        let line = try #require(enroll.stdout.split(separator: "\n").first { $0.contains("\"phrase\":\"overdraft\"") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(report["enrolled"] as? Bool == true && report["intent"] as? String == "overdraft", "\(report)")
        let calibration = try #require(report["calibration"] as? [String: Any])
        #expect(try #require(calibration["false_accepts"] as? Double) <= 0.05, "\(report)")
        #expect(enroll.stdout.contains("\"served_by\":\"balance\""), "unit phrases are left to the classifier")
        #expect(FileManager.default.fileExists(atPath: config.appendingPathComponent("enrolled-keywords-en.json").path))

        // After: the enrolled file next to the menu is picked up by default.
        let after = try spot(files)
        #expect(after.status == 0, "\(after.stderr)")
        let results = try after.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(results.count == files.count, "\(after.stdout)")
        #expect(results[0]["intent"] as? String == "overdraft", "\(results[0])")
        #expect(results[1]["intent"] as? String == "overdraft", "\(results[1])")
        #expect(results[2]["intent"] is NSNull, "a sentence without the phrase: \(results[2])")
        #expect(results[3]["intent"] as? String == "transfer", "the units still work: \(results[3])")
        #expect(results[4]["intent"] is NSNull, "noise only: \(results[4])")
    }

    @Test func anEnrolledFileForAnotherModelIsAClearError() throws {
        let config = try configWithOverdraft()
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        let enrolled = config.appendingPathComponent("enrolled-keywords-en.json")
        try Data(#"{"format":"voicegate-enrolled-keywords/1","language":"en","model":"0000000000000000","channels":64,"phrases":[]}"#.utf8)
            .write(to: enrolled)
        let r = try runVoicegate(["spot", "--menu", config.appendingPathComponent("menu.yaml").path,
                                  "--prompts", Self.root.appendingPathComponent("Prompts").path,
                                  "--keyword-model", Self.root.appendingPathComponent("Models/keywords-en.json").path, "x.wav"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("enroll-keywords"), "\(r.stderr)")
    }
}
