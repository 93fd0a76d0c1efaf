import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP

/// The built `voicegate` binary: next to the test bundle in the build products folder.
private func voicegateBinary() -> URL? {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("voicegate")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    for bundle in Bundle.allBundles {
        let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("voicegate")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}

private func runDTMFVoicegate(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    guard let binary = voicegateBinary() else {
        Issue.record("voicegate binary not found next to the test bundle (swift build first)")
        return (-1, "", "")
    }
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite struct DTMFCommandTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtmf-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ samples: [Int16], rate: Int = 8000, encoding: WAVEncoding = .pcm16) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try WAVFile.write(AudioClip(sampleRate: rate, samples: samples), to: path, encoding: encoding)
        return path
    }

    private func tones(_ digits: String, rate: Int = 8000) -> [Int16] {
        ToneGenerator.silence(duration: 0.3, sampleRate: rate)
            + ToneGenerator.dtmf(digits: digits, toneDuration: 0.08, gap: 0.08, level: -12, sampleRate: rate)
            + ToneGenerator.silence(duration: 0.3, sampleRate: rate)
    }

    @Test func printsOneJSONLinePerFileAt8And16kHzAndMuLaw() throws {
        let a = try write("a.wav", tones("12#"))
        let b = try write("b.wav", tones("*0", rate: 16000), rate: 16000)
        let c = try write("c.wav", tones("9D"), encoding: .ulaw)
        let quiet = try write("quiet.wav", ToneGenerator.silence(duration: 1))
        let result = try runDTMFVoicegate(["dtmf", a, b, c, quiet])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(objects.map { $0["file"] as? String } == [a, b, c, quiet])
        #expect(objects.map { $0["digits"] as? String } == ["12#", "*0", "9D", ""])
        let events = objects[0]["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["digit"] as? String } == ["1", "2", "#"])
        if let first = events.first, let start = first["start_s"] as? Double, let end = first["end_s"] as? Double {
            #expect(abs(start - 0.3) <= 0.011)
            #expect(abs(end - 0.38) <= 0.011)
        } else {
            Issue.record("first event lacks start_s/end_s")
        }
    }

    @Test func badFileIsNamedOnStderrAndOthersStillRun() throws {
        let good = try write("good.wav", tones("5"))
        let bad = dir.appendingPathComponent("bad.wav").path
        try Data("this is not a wav file".utf8).write(to: URL(fileURLWithPath: bad))
        let missing = dir.appendingPathComponent("missing.wav").path
        let result = try runDTMFVoicegate(["dtmf", bad, good, missing])
        #expect(result.status != 0)
        #expect(result.stderr.contains("voicegate: \(bad):"))
        #expect(result.stderr.contains("voicegate: \(missing):"))
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(result.stdout.contains("\"digits\":\"5\""))
    }
}
