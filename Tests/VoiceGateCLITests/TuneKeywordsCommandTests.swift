import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateTestSupport

/// `voicegate tune-keywords` on a tiny corpus made now with espeak-ng: it writes per-phrase
/// thresholds into a copy of Config/ that still validates, and `spot` then decides with them.
@Suite struct TuneKeywordsCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-tune-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d.appendingPathComponent("corpus"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(at: d.appendingPathComponent("Config"), withIntermediateDirectories: true)
        return d
    }()
    var corpus: String { dir.appendingPathComponent("corpus").path }
    var config: String { dir.appendingPathComponent("Config").path }
    var menu: String { dir.appendingPathComponent("Config/menu.yaml").path }
    var model: String { Self.root.appendingPathComponent("Models/keywords-en.json").path }
    var prompts: String { Self.root.appendingPathComponent("Prompts").path }

    /// Spoken files: (file, kind, intent, keyword, text).
    static let spoken: [(String, String, String, String?, String)] = [
        ("money.wav", "keyword", "transfer", "send money", "I want to send money to my brother"),
        ("card.wav", "keyword", "card", "lost my card", "uh I think I lost my card"),
        ("balance.wav", "keyword", "balance", "check my balance", "I'd like to check my balance"),
        ("agent.wav", "keyword", "agent", "speak to a person", "can I speak to a person please"),
        ("weather.wav", "distractor", "none", nil, "the weather was lovely at the seaside"),
    ]

    /// Writes the corpus (with a silence file and a DTMF label whose file is absent: DTMF
    /// files are skipped) and a copy of the shipped Config/.
    func makeCorpus() throws {
        var labels = ""
        for (file, kind, intent, keyword, text) in Self.spoken {
            let said = try #require(TelephoneSpeech.make(text, voice: "en-us+f4", lead: 0.8),
                                    "espeak-ng and sox are needed (make setup)")
            try WAVFile.write(AudioClip(sampleRate: 8000, samples: said), to: "\(corpus)/\(file)", encoding: .ulaw)
            let object: [String: Any] = ["file": file, "kind": kind, "intent": intent, "keyword": keyword ?? NSNull(), "text": text]
            labels += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        }
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: [Int16](repeating: 0, count: 16000)),
                          to: "\(corpus)/quiet.wav", encoding: .ulaw)
        labels += #"{"file": "quiet.wav", "kind": "silence", "intent": "none", "keyword": null}"# + "\n"
        labels += #"{"file": "keys.wav", "kind": "dtmf", "intent": null, "keyword": null}"# + "\n"
        try labels.write(toFile: "\(corpus)/labels.jsonl", atomically: true, encoding: .utf8)
        for name in ["menu.yaml", "voicegate.yaml"] {
            try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Config/\(name)").path,
                                             toPath: "\(config)/\(name)")
        }
    }

    /// `voicegate spot` on the corpus's keyword files with the temp menu: file name → intent.
    func spot(threshold: Double? = nil) throws -> [String: String] {
        let files = Self.spoken.map { "\(corpus)/\($0.0)" }
        let r = try runVoicegate(["spot", "--menu", menu, "--prompts", prompts, "--keyword-model", model]
                                 + (threshold.map { ["--keyword-threshold", "\($0)"] } ?? []) + files)
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let file = URL(fileURLWithPath: try #require(object["file"] as? String)).lastPathComponent
            out[file] = object["intent"] as? String
        }
        return out
    }

    @Test func writesThresholdsThatValidateAndThatSpotUses() throws {
        try makeCorpus()
        // A global threshold far too strict for these files: the tuner lowers it per phrase.
        let strict = 0.97
        let before = try spot(threshold: strict)
        let original = try String(contentsOfFile: menu, encoding: .utf8)
        let dry = try runVoicegate(["tune-keywords", "--corpus", corpus, "--config", config, "--prompts", prompts,
                                    "--keyword-model", model, "--keyword-threshold", "\(strict)"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try String(contentsOfFile: menu, encoding: .utf8) == original, "without --write the menu is untouched")
        #expect(dry.stderr.contains("+    thresholds: {en: {"), "the diff shows the change: \(dry.stderr)")

        let r = try runVoicegate(["tune-keywords", "--corpus", corpus, "--config", config, "--prompts", prompts,
                                  "--keyword-model", model, "--keyword-threshold", "\(strict)", "--write"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let summary = try #require(lines.last { $0["summary"] as? Bool == true }, "stdout: \(r.stdout)")
        #expect(summary["files"] as? Int == 6, "the DTMF file is skipped: \(summary)")
        #expect(summary["written"] as? Bool == true, "\(summary)")
        let accuracy = try #require(summary["accuracy"] as? Double), accuracyBefore = try #require(summary["accuracy_before"] as? Double)
        #expect(accuracy > accuracyBefore, "\(summary)")
        #expect(summary["false_accept_rate"] as? Double == 0, "\(summary)")
        #expect(lines.contains { $0["phrase"] as? String == "send money" && $0["files"] as? Int == 1 }, "stdout: \(r.stdout)")

        // The tuned menu: only thresholds lines added, and it validates.
        let tuned = try String(contentsOfFile: menu, encoding: .utf8)
        let added = tuned.components(separatedBy: "\n").filter { !original.components(separatedBy: "\n").contains($0) }
        #expect(!added.isEmpty && added.allSatisfy { $0.hasPrefix("    thresholds: {en: {") }, "\(added)")
        let check = try runVoicegate(["check-config", "--config", "\(config)/voicegate.yaml", "--menu", menu, "--prompts", prompts])
        #expect(check.status == 0, "\(check.stderr)")

        // spot with the same strict global threshold now takes the phrases the tuner lowered.
        let after = try spot(threshold: strict)
        let right = { (intents: [String: String]) in Self.spoken.filter { intents[$0.0] == $0.2 }.count }
        #expect(right(after) > right(before), "before \(before), after \(after)")
        #expect(after["weather.wav"] == nil)
    }

    @Test func aPhraseWithAHighThresholdIsNoLongerAccepted() throws {
        try makeCorpus()
        let before = try spot()
        #expect(before["money.wav"] == "transfer" && before["card.wav"] == "card", "\(before)")
        let original = try String(contentsOfFile: menu, encoding: .utf8)
        let transfer = "    en: [transfer, transfer money, send money]\n"
        #expect(original.contains(transfer))
        try original.replacingOccurrences(of: transfer, with: transfer + "    thresholds: {en: {send money: 0.9999}}\n")
            .write(toFile: menu, atomically: true, encoding: .utf8)
        let after = try spot()
        #expect(after["money.wav"] == nil, "\(after)")
        #expect(after["card.wav"] == "card" && after["balance.wav"] == "balance", "\(after)")
    }

    @Test func aBadThresholdIsRejectedWithItsLine() throws {
        try makeCorpus()
        let original = try String(contentsOfFile: menu, encoding: .utf8)
        let transfer = "    en: [transfer, transfer money, send money]\n"
        try original.replacingOccurrences(of: transfer, with: transfer + "    thresholds: {en: {send money: 1.2}}\n")
            .write(toFile: menu, atomically: true, encoding: .utf8)
        let line = original.components(separatedBy: "\n").firstIndex { $0 + "\n" == transfer }! + 2
        let r = try runVoicegate(["check-config", "--config", "\(config)/voicegate.yaml", "--menu", menu, "--prompts", prompts])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(menu):\(line):"), "\(r.stderr)")
        #expect(r.stderr.contains("threshold of 'send money' must be a number between 0 and 1"), "\(r.stderr)")
        let tune = try runVoicegate(["tune-keywords", "--corpus", corpus, "--config", config, "--prompts", prompts,
                                     "--keyword-model", model])
        #expect(tune.status != 0 && tune.stderr.contains("\(menu):\(line):"), "\(tune.stderr)")
    }
}
