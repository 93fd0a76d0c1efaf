import Foundation
import Testing
import VoiceGateDSP

/// Babble of four espeak-ng talkers (different voices and sentences, telephone band, equal level),
/// `duration` seconds at 8 kHz, scaled to `level` dBm0 of mean power; `draw` shifts where each talker
/// starts. Nil when espeak-ng or sox is missing (make setup installs them).
private func babble(duration: Double, level: Double, draw: Int = 0) throws -> [Int16]? {
    guard let espeak = which("espeak-ng"), let sox = which("sox") else { return nil }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtmf-babble-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let talkers = [
        ("en-us+m1", "the weather today is cloudy with a chance of rain later in the evening"),
        ("en-us+f2", "we will meet at the station and walk over to the old market square together"),
        ("en+m3", "remember to bring your notes because the meeting starts right after lunch"),
        ("en-us+f4", "she sold the blue car last summer and bought a bicycle for the city instead"),
    ]
    let count = Int(duration * 8000)
    var sum = [Double](repeating: 0, count: count)
    for (k, (voice, text)) in talkers.enumerated() {
        let raw = dir.appendingPathComponent("t\(k).wav").path
        let narrow = dir.appendingPathComponent("t\(k)_8k.wav").path
        try run(espeak, ["-v", voice, "-s", "\(150 + 10 * k)", "-w", raw, text])
        try run(sox, [raw, "-r", "8000", "-c", "1", "-b", "16", narrow, "sinc", "300-3400"])
        let talk = try readPCM16(narrow).map(Double.init)
        let rms = (talk.reduce(0) { $0 + $1 * $1 } / Double(max(talk.count, 1))).squareRoot()
        // Each talker starts at a different point of its sentence and loops, so all four overlap.
        let start = talk.count * k / 5 + 997 * draw
        for i in 0..<count { sum[i] += talk[(start + i) % talk.count] / max(rms, 1) }
    }
    let power = sum.reduce(0) { $0 + $1 * $1 } / Double(count)
    // A full-scale sine is +3.14 dBm0 (G.711): mean power 32767²/2 ↔ 3.14 dBm0.
    let target = 32767.0 * 32767.0 / 2 * pow(10, (level - 3.14) / 10)
    let gain = (target / power).squareRoot()
    return sum.map { Int16(max(-32768, min(32767, ($0 * gain).rounded()))) }
}

/// Mean power of the two tones of a DTMF digit at `level` dBm0 per tone, as dBm0 of one tone
/// (how the evaluation corpus defines SNR: noise this many dB below the mean per-tone power).
private func babbleLevel(toneLevel: Double, twist: Double, snr: Double) -> Double {
    let low = pow(10, (toneLevel - twist / 2) / 10), high = pow(10, (toneLevel + twist / 2) / 10)
    return 10 * log10((low + high) / 2) - snr
}

@Suite struct DTMFInBabbleTests {
    /// 45 ms digits (Q.24's 40 ms plus a little) with 60 ms gaps, −25 dBm0 mean per tone, in
    /// four-talker babble 5 dB below the tones, three draws of babble and alignment. Draw 2 has a
    /// "1" whose 697 Hz tone babble crowds: the 30 ms confirmation window, with its own
    /// relative-peak and tone-to-total limits, finds it (the 20 ms windows and the old limits
    /// did not).
    @Test(arguments: [(-8.0, 0), (0.0, 0), (-8.0, 1), (0.0, 1), (4.0, 1), (-8.0, 2), (-4.0, 2), (0.0, 2)])
    func fortyFiveMillisecondDigitsInBabbleAtFiveDecibels(twist: Double, draw: Int) throws {
        let keys = ["71296*4#5038", "62*7039#8415", "#147*2953806"][draw]
        let tones = ToneGenerator.dtmf(digits: keys, toneDuration: 0.045, gap: 0.06, level: -25, twist: twist)
        let x = ToneGenerator.silence(duration: 0.5 + 0.0037 * Double(draw)) + tones
            + ToneGenerator.silence(duration: 0.3)
        guard let noise = try babble(duration: Double(x.count) / 8000,
                                     level: babbleLevel(toneLevel: -25, twist: twist, snr: 5), draw: draw) else {
            Issue.record("espeak-ng and sox are needed (make setup installs them)")
            return
        }
        let found = String(DTMFDetector.detect(in: ToneGenerator.mix(x, noise)).map(\.digit.rawValue))
        #expect(found == keys)
    }

    /// The same babble alone, at three levels and three draws, gives no digit: the relaxed limits
    /// of the 30 ms window must not turn babble into talk-off.
    @Test func babbleAloneGivesNothing() throws {
        var found = ""
        for (level, draw) in [(-10.0, 0), (-20.0, 1), (-30.0, 2)] {
            guard let noise = try babble(duration: 4, level: level, draw: draw) else {
                Issue.record("espeak-ng and sox are needed (make setup installs them)")
                return
            }
            found += String(DTMFDetector.detect(in: noise).map(\.digit.rawValue))
        }
        #expect(found == "")
    }
}
