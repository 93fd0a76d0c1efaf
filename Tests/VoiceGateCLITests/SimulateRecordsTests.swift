import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP

/// `voicegate simulate --db`: the real engine and demo bank, a caller who identifies with
/// account 1234 and PIN 4321 — neither digit string may appear in the records file (database,
/// WAL and shared memory, read raw) nor in the trace file.
@Suite struct SimulateRecordsTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-simdb-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func bytes(_ path: String) -> [UInt8] { (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init) ?? [] }

    func contains(_ haystack: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0] == needle[0] && Array(haystack[$0..<$0 + needle.count]) == needle }
    }

    @Test func aVerifiedBalanceCallLeavesNoAccountDigitsOrPINInTheRecordsOrTrace() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let line = ToneGenerator.noise(.white, duration: 8, level: -60, seed: 11)
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: line), to: path("caller.wav"))
        // 1 = balance, then account 1234#, then PIN 4321#.
        let r = try runVoicegate([
            "simulate", "--caller", path("caller.wav"), "--dtmf", "1@1.0,1@3.0,2@3.3,3@3.6,4@3.9,#@4.2,4@6.0,3@6.3,2@6.6,1@6.9,#@7.2",
            "--heard", path("heard.wav"), "--trace", path("trace.jsonl"), "--summary", "--db", path("records.sqlite"),
            "--menu", root.appendingPathComponent("Config/menu.yaml").path,
            "--prompts", root.appendingPathComponent("Prompts").path,
            "--bank", path("bank.sqlite"), "--cache", path("cache"), "--caller-number", "+15550001",
        ])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["outcome"] as? String == "self_served")
        let callID = try #require(summary?["call_id"] as? String)

        let records = ["", "-wal", "-shm"].flatMap { bytes(path("records.sqlite") + $0) }
        #expect(contains(records, callID), "the call is in the records")
        #expect(contains(records, "say_balance") && contains(records, "\"masked\":true"), "its events are there, masked")
        #expect(!contains(records, "1234") && !contains(records, "4321"), "account digits or PIN in the records file")

        let trace = bytes(path("trace.jsonl"))
        #expect(contains(trace, "\"masked\":true"))
        #expect(!contains(trace, "1234") && !contains(trace, "4321"), "account digits or PIN in the trace file")
    }
}
