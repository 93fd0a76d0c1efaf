import Foundation

/// Spoken test fixtures through a telephone channel: espeak-ng with a chosen voice, band-passed
/// 300-3400 Hz and resampled to 8 kHz by sox, with silence around it. For keyword tests that
/// need real words (made at test time; `make setup` installs both tools). sox runs without
/// dither (`-D`): its default dither is random, and a keyword fixture must be the same bytes
/// every run (a dithered "I lost my card" scored 0.33-0.48 against a 0.40 threshold).
public enum TelephoneSpeech {
    /// `text` said by espeak-ng `voice` at `wordsPerMinute`, at 8 kHz with `lead`/`trail`
    /// seconds of silence and an RMS level near -22 dBFS; nil if a tool is missing.
    public static func make(_ text: String, voice: String = "en-us+m3", wordsPerMinute: Int = 160,
                            lead: Double = 0.5, trail: Double = 0.5) -> [Int16]? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-tel-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("raw.wav").path
        let out = dir.appendingPathComponent("out.raw").path
        guard SyntheticSpeech.run("espeak-ng", ["-v", voice, "-s", "\(wordsPerMinute)", "-w", raw, text]),
              SyntheticSpeech.run("sox", ["-D", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", out,
                          "sinc", "300-3400", "norm", "-16"]),
              let data = FileManager.default.contents(atPath: out) else { return nil }
        let speech = data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        let silence = { (s: Double) in [Int16](repeating: 0, count: Int(s * 8000)) }
        return silence(lead) + speech + silence(trail)
    }
}
