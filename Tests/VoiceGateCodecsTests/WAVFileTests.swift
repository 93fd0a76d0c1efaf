import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP

/// Where sox is, if installed (`make setup` installs it); tests that need it are skipped otherwise.
let soxPath: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin")
    .split(separator: ":").map { "\($0)/sox" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// A fresh temporary directory for one test.
func makeTempDir() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-wav-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs sox with `arguments`; fails the test with sox's message if it fails.
func sox(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: soxPath!)
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    try #require(process.terminationStatus == 0, "sox \(arguments.joined(separator: " ")) failed: \(message)")
}

/// A WAV header written by hand (not by WAVFile), for formats VoiceGate must refuse.
func handMadeWAV(tag: UInt16, channels: UInt16, rate: UInt32, bits: UInt16, dataBytes: Int = 64) -> [UInt8] {
    var b: [UInt8] = []
    func u16(_ v: UInt16) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) { b += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    let block = UInt16(Int(channels) * Int(bits) / 8)
    b += Array("RIFF".utf8); u32(UInt32(36 + dataBytes)); b += Array("WAVE".utf8)
    b += Array("fmt ".utf8); u32(16); u16(tag); u16(channels); u32(rate); u32(rate * UInt32(block)); u16(block); u16(bits)
    b += Array("data".utf8); u32(UInt32(dataBytes)); b += [UInt8](repeating: 0, count: dataBytes)
    return b
}

@Suite struct WAVFileTests {
    static let tone: [Int16] = (0..<1600).map { n in
        let phase: Double = 2 * Double.pi * 440 * Double(n) / 8000
        return Int16((9000 * sin(phase)).rounded())
    }

    @Test(arguments: [(WAVEncoding.pcm16, 8000), (.pcm16, 16000), (.ulaw, 8000), (.alaw, 8000)])
    func roundTripsThroughAFile(encoding: WAVEncoding, rate: Int) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/clip.wav"
        let clip = AudioClip(sampleRate: rate, samples: Self.tone + [.max, .min, 0, -1])  // odd byte count for G.711
        try WAVFile.write(clip, to: path, encoding: encoding)
        let back = try WAVFile.read(path: path)
        #expect(back.sampleRate == rate)
        switch encoding {
        case .pcm16: #expect(back.samples == clip.samples)
        case .ulaw: #expect(back.samples == clip.samples.map { G711.ulawDecode(G711.ulawEncode($0)) })
        case .alaw: #expect(back.samples == clip.samples.map { G711.alawDecode(G711.alawEncode($0)) })
        }
        // The file's RIFF size field must match its length (other tools reject files where it does not).
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let riffSize = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(riffSize + 8 == bytes.count)
    }

    /// Files written by sox (an independent writer) read correctly in every accepted encoding:
    /// a 1 kHz sine comes back at the right rate and length, and the G.711 files decode to exactly
    /// what sox itself decodes them to.
    @Test(.enabled(if: soxPath != nil, "sox is not installed (run `make setup`); skipping sox-written WAV checks"),
          arguments: [("signed-integer", 8000), ("signed-integer", 16000), ("u-law", 8000), ("a-law", 8000)])
    func readsSoxWrittenFiles(encoding: String, rate: Int) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/sox.wav", linear = "\(dir)/linear.wav"
        let bits = encoding == "signed-integer" ? ["-b", "16"] : []
        try sox(["-n", "-r", "\(rate)", "-c", "1", "-e", encoding] + bits + [path, "synth", "0.1", "sine", "1000"])
        let clip = try WAVFile.read(path: path)
        #expect(clip.sampleRate == rate && clip.samples.count == rate / 10)
        // Least-squares fit of a 1 kHz sine: nearly all the energy is the tone.
        var ss = 0.0, cc = 0.0, ys = 0.0, yc = 0.0, yy = 0.0
        for (n, v) in clip.samples.enumerated() {
            let w = 2 * Double.pi * 1000 * Double(n) / Double(rate), y = Double(v)
            ss += sin(w) * sin(w); cc += cos(w) * cos(w); ys += y * sin(w); yc += y * cos(w); yy += y * y
        }
        let toneEnergy = ys * ys / ss + yc * yc / cc
        #expect(toneEnergy / yy > 0.99, "\(encoding) \(rate): only \(toneEnergy / yy) of the energy is the 1 kHz tone")
        #expect(yy / Double(clip.samples.count) > 1e6)  // not silence
        // sox's own decoding of the file to 16-bit PCM agrees sample for sample.
        try sox(["-D", path, "-e", "signed-integer", "-b", "16", linear])
        #expect(try WAVFile.read(path: linear).samples == clip.samples)
    }

    /// Each refused file gets an error naming the file and what was found in it.
    @Test(arguments: [
        ("stereo", handMadeWAV(tag: 1, channels: 2, rate: 8000, bits: 16), "PCM 16-bit, 2 channels, 8000 Hz"),
        ("44k", handMadeWAV(tag: 1, channels: 1, rate: 44100, bits: 16), "PCM 16-bit, mono, 44100 Hz"),
        ("float", handMadeWAV(tag: 3, channels: 1, rate: 8000, bits: 32), "IEEE float 32-bit, mono, 8000 Hz"),
        ("pcm24", handMadeWAV(tag: 1, channels: 1, rate: 16000, bits: 24), "PCM 24-bit, mono, 16000 Hz"),
        ("text", Array("hello, this is not audio\n".utf8), "not a RIFF/WAVE file (found 'hell' header)"),
        ("empty", [], "empty file"),
        ("truncated", Array(handMadeWAV(tag: 1, channels: 1, rate: 8000, bits: 16).prefix(30)), "truncated header"),
        ("tiny", Array("RIFF\u{0}\u{0}".utf8), "truncated header"),
        ("headeronly", Array(handMadeWAV(tag: 1, channels: 1, rate: 8000, bits: 16).prefix(36)), "no data chunk"),
    ])
    func refusesWithAClearError(label: String, bytes: [UInt8], found: String) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/\(label).wav"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: WAVError.self) { try WAVFile.read(path: path) }
        #expect(error.file == path)
        #expect(error.description.hasPrefix(path))
        #expect(error.reason.contains(found), "\(label): \(error.reason)")
    }

    /// The same refusals for files sox writes (extensible headers for 24-bit and float).
    @Test(.enabled(if: soxPath != nil, "sox is not installed (run `make setup`); skipping sox-written WAV checks"),
          arguments: [
            (["-r", "8000", "-c", "2", "-e", "signed-integer", "-b", "16"], "PCM 16-bit, 2 channels, 8000 Hz"),
            (["-r", "44100", "-c", "1", "-e", "signed-integer", "-b", "16"], "PCM 16-bit, mono, 44100 Hz"),
            (["-r", "8000", "-c", "1", "-e", "floating-point", "-b", "32"], "IEEE float 32-bit, mono, 8000 Hz"),
            (["-r", "16000", "-c", "1", "-e", "signed-integer", "-b", "24"], "PCM 24-bit, mono, 16000 Hz"),
          ])
    func refusesSoxWrittenUnsupportedFormats(options: [String], found: String) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/unsupported.wav"
        try sox(["-n"] + options + [path, "synth", "0.05", "sine", "1000"])
        let error = try #require(throws: WAVError.self) { try WAVFile.read(path: path) }
        #expect(error.file == path)
        #expect(error.reason.contains("unsupported format: \(found)"), "\(error.reason)")
        #expect(error.reason.contains("VoiceGate reads mono 8000 or 16000 Hz"))
    }

    @Test func missingFileIsAClearError() throws {
        let path = "/nonexistent-\(UUID().uuidString)/call.wav"
        let error = try #require(throws: WAVError.self) { try WAVFile.read(path: path) }
        #expect(error.file == path && error.reason.contains("no such file"))
    }

    /// Callers may widen the accepted rates (e.g. 48 kHz for Opus paths).
    @Test func allowedRatesCanBeWidened() throws {
        let bytes = WAVFile.encode(AudioClip(sampleRate: 48000, samples: [1, 2, 3]))
        #expect(throws: WAVError.self) { try WAVFile.decode(bytes, name: "x.wav") }
        #expect(try WAVFile.decode(bytes, name: "x.wav", allowedRates: [48000]).samples == [1, 2, 3])
    }
}
