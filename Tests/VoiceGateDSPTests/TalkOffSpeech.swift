import Foundation

/// The espeak-ng talk-off sentences of the DTMF tests: numbers, a hum and long vowels (what
/// comes closest to two steady tones in speech), in five voices, each rendered at its own rate
/// and pitch and band-limited to the telephone band at 8 kHz.
enum TalkOffSpeech {
    static let texts = [
        "one two three four five six seven eight nine ten eleven twelve",
        "my account number is four five nine two, seven seven one three, zero zero eight six",
        "please transfer nine hundred and ninety nine dollars and fifty cents today",
        "the quick brown fox jumps over the lazy dog while the bells ring and ring",
        "hmmmm, mmm, aaaah, ooooh, eeeeee, ninety nine, eighty eight, seventy seven",
    ]
    static let voices = ["en-us+m1", "en-us+f2", "en+m3", "en-us+f4", "en+klatt"]

    /// One rendered sentence.
    struct Sentence {
        let text: String
        let voice: String
        let samples: [Int16]
    }

    /// Text `i` in voice `j` (rate 140 + 15j wpm, pitch 30 + 12i) for every pair `include`
    /// accepts, through sox's 300-3400 Hz band-pass to 8 kHz mono PCM16 and then `level` (sox
    /// effects, e.g. `["norm", "-16"]`), without dither (`-D`), so each fixture is the same every
    /// run. Nil when espeak-ng or sox is missing (`make setup` installs both).
    static func render(level: [String], include: (Int, Int) -> Bool = { _, _ in true }) throws -> [Sentence]? {
        guard let espeak = which("espeak-ng"), let sox = which("sox") else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtmf-talkoff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var sentences: [Sentence] = []
        for (i, text) in texts.enumerated() {
            for (j, voice) in voices.enumerated() where include(i, j) {
                let raw = dir.appendingPathComponent("s\(i)_\(j).wav").path
                let narrow = dir.appendingPathComponent("s\(i)_\(j)_8k.wav").path
                try run(espeak, ["-v", voice, "-s", "\(140 + 15 * j)", "-p", "\(30 + 12 * i)", "-w", raw, text])
                try run(sox, ["-D", raw, "-r", "8000", "-c", "1", "-b", "16", narrow, "sinc", "300-3400"] + level)
                sentences.append(Sentence(text: text, voice: voice, samples: try readPCM16(narrow)))
            }
        }
        return sentences
    }
}
