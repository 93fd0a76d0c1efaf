import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateTestSupport

@Suite struct VADCommandTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-vad-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func speechFile(_ name: String, sampleRate: Int, encoding: WAVEncoding = .pcm16) throws -> String {
        let clean = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 1.0, sampleRate: sampleRate),
                                           lead: 1.0, trail: 1.0, sampleRate: sampleRate)
        let x = SyntheticSpeech.pcm(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: sampleRate))
        let path = dir.appendingPathComponent(name).path
        try WAVFile.write(AudioClip(sampleRate: sampleRate, samples: x), to: path, encoding: encoding)
        return path
    }

    @Test func printsOneJSONLinePerFileAndFailsOnBadFiles() throws {
        let good8 = try speechFile("good8.wav", sampleRate: 8000, encoding: .ulaw)
        let good16 = try speechFile("good16.wav", sampleRate: 16000)
        let bad = dir.appendingPathComponent("bad.wav").path
        try Data("this is not a wav file".utf8).write(to: URL(fileURLWithPath: bad))
        let missing = dir.appendingPathComponent("missing.wav").path

        let r = try runVoicegate(["vad", good8, bad, missing, good16])
        #expect(r.status == 1)
        #expect(r.stderr.contains("voicegate: \(bad)"))
        #expect(r.stderr.contains(missing))
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 2, "stdout: \(r.stdout)")
        for (line, file) in zip(lines, [good8, good16]) {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(obj["file"] as? String == file)
            let segments = try #require(obj["segments"] as? [[Double]])
            try #require(segments.count == 1, "\(segments)")
            #expect(abs(segments[0][0] - 1.0) < 0.06 && abs(segments[0][1] - 2.0) < 0.2, "\(segments)")
        }
    }

    @Test func allGoodFilesExitZeroAndFramesMatchSegments() throws {
        let good = try speechFile("good.wav", sampleRate: 8000)
        let r = try runVoicegate(["vad", "--frames", good])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let frames = try #require(obj["frames"] as? String)
        #expect(frames.count == 300)
        let segments = try #require(obj["segments"] as? [[Double]])
        let flagged = segments.map { Int(($0[1] - $0[0]) * 100 + 0.5) }.reduce(0, +)
        #expect(frames.filter { $0 == "1" }.count == flagged)
        #expect((obj["onsets"] as? [Double])?.count == 1)
    }
}
