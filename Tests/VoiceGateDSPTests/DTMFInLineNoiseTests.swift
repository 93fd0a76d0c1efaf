import Foundation
import Testing
import VoiceGateDSP

/// Mean power of a DTMF digit's two tones at `level` dBm0 mean per tone and `twist` dB, as dBm0
/// of one tone: the evaluation corpus puts noise `snr` dB below this.
private func meanToneLevel(_ level: Double, twist: Double) -> Double {
    let low = pow(10, (level - twist / 2) / 10), high = pow(10, (level + twist / 2) / 10)
    return 10 * log10((low + high) / 2)
}

/// The G.711 μ-law round trip every call goes through.
private func muLaw(_ x: [Int16]) -> [Int16] { x.map { G711.ulawDecode(G711.ulawEncode($0)) } }

/// 300-3400 Hz band-pass (63-tap Hamming-windowed sinc), as the telephone channel shapes line noise.
private func telephoneBand(_ x: [Int16]) -> [Int16] {
    let taps = 63, middle = taps / 2
    let h: [Double] = (0..<taps).map { k in
        let t = Double(k - middle)
        func lowPass(_ cutoff: Double) -> Double {
            t == 0 ? 2 * cutoff / 8000 : sin(2 * Double.pi * cutoff / 8000 * t) / (Double.pi * t)
        }
        return (lowPass(3400) - lowPass(300)) * (0.54 - 0.46 * cos(2 * Double.pi * Double(k) / Double(taps - 1)))
    }
    return (0..<x.count).map { i in
        var sum = 0.0
        for k in max(0, i + middle - x.count + 1)...min(taps - 1, i + middle) { sum += h[k] * Double(x[i + middle - k]) }
        return Int16(clamping: Int(sum.rounded()))
    }
}

/// Twelve 45 ms digits (Q.24's 40 ms plus a little, 60 ms gaps) at `level`/`twist`, with `noise`
/// `snr` dB below the mean tone power, through μ-law; `draw` shifts the alignment and the noise.
private func digitsInNoise(_ keys: String, level: Double, twist: Double, snr: Double, draw: UInt64,
                           noise: (_ level: Double, _ count: Int, _ seed: UInt64) -> [Int16]) -> String {
    let tones = ToneGenerator.silence(duration: 0.5 + 0.0013 * Double(draw))
        + ToneGenerator.dtmf(digits: keys, toneDuration: 0.045, gap: 0.06, level: level, twist: twist)
        + ToneGenerator.silence(duration: 0.3)
    let line = noise(meanToneLevel(level, twist: twist) - snr, tones.count, draw)
    return String(DTMFDetector.detect(in: muLaw(ToneGenerator.mix(tones, line))).map(\.digit.rawValue))
}

@Suite struct DTMFInLineNoiseTests {
    /// −8 dB twist at −25 dBm0 mean: the column tone is at −29 dBm0, 14-17 dB above telephone-band
    /// white noise in its own DFT bin, so plain noise at twice its frequency often fails the
    /// second-harmonic limit. The harmonic noise allowance keeps those windows; before it, 3 of
    /// these 30 draws lost a digit.
    @Test func weakColumnDigitsInTelephoneBandNoiseAtFiveDecibels() {
        let keys = "0123456789*#"
        var wrong: [UInt64] = []
        for draw in UInt64(1)...30 {
            let found = digitsInNoise(keys, level: -25, twist: -8, snr: 5, draw: draw) { level, count, seed in
                // 1.1 dB louder before the band-pass, so the in-band noise density is that of `level`.
                telephoneBand(ToneGenerator.noise(.white, duration: Double(count) / 8000, level: level + 1.1, seed: seed))
            }
            if found != keys { wrong.append(draw) }
        }
        #expect(wrong == [])
    }

    /// +4 dB twist in pink noise at 5 dB SNR: noise often fails every 20 ms window of a 45 ms digit,
    /// and two 30 ms windows in a row at the pair limits confirm it; before that rule, 3 of these
    /// 30 draws lost a digit.
    @Test func digitsInPinkNoiseAtFiveDecibels() {
        let keys = "0123456789*#"
        var wrong: [UInt64] = []
        for draw in UInt64(1)...30 {
            let found = digitsInNoise(keys, level: -5, twist: 4, snr: 5, draw: draw) { level, count, seed in
                ToneGenerator.noise(.pink, duration: Double(count) / 8000, level: level, seed: seed)
            }
            if found != keys { wrong.append(draw) }
        }
        #expect(wrong == [])
    }

    /// In white noise 3 dB above each tone a window passes only through the in-noise tone-to-total
    /// relaxation. There a pair must reach `minimumStrongToneLevelInNoise` (−31 dBm0): at −34 dBm0
    /// per tone nothing is reported (before that limit, 112 of these 120 digits were), at −25 dBm0
    /// nearly every digit is, and the same −34 dBm0 digits in quiet all are.
    @Test func pairsOnlyNoiseExplainsMustBeLoudEnough() {
        let keys = "0123456789*#"
        func found(level: Double, noisy: Bool) -> Int {
            var count = 0
            for draw in UInt64(1)...10 {
                let tones = ToneGenerator.silence(duration: 0.5)
                    + ToneGenerator.dtmf(digits: keys, toneDuration: 0.06, gap: 0.06, level: level)
                    + ToneGenerator.silence(duration: 0.3)
                let noise = ToneGenerator.noise(.white, duration: Double(tones.count) / 8000, level: level + 3, seed: draw)
                count += DTMFDetector.detect(in: noisy ? ToneGenerator.mix(tones, noise) : tones).count
            }
            return count
        }
        #expect(found(level: -34, noisy: true) == 0)
        #expect(found(level: -25, noisy: true) >= 100)
        #expect(found(level: -34, noisy: false) == 120)
    }

    /// The talk-off case of the noise rules: espeak-ng speech (numbers, a hum, long vowels) in white
    /// and pink noise at 20, 10, 5 and 0 dB SNR, at two speech levels, through μ-law, gives no digit.
    /// This set has teeth: a pair tone-to-total limit of 0.5 gives three false digits here, and the
    /// pair rule without its noise-floor condition one (a sentence in 20 dB white noise).
    @Test func speechInNoiseGivesNothing() throws {
        // Every text × voice pair at −16 dBFS peak.
        guard let sentences = try TalkOffSpeech.render(level: ["norm", "-16"]) else {
            Issue.record("espeak-ng and sox are needed (make setup installs them)")
            return
        }
        var found: [String] = []
        for sentence in sentences {
            let speech = sentence.samples
            let power = speech.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(speech.count, 1))
            let speechLevel = 10 * log10(max(power, 1) / (32768.0 * 32768.0 / 2)) + 3.14
            let padded = ToneGenerator.silence(duration: 0.5) + speech + ToneGenerator.silence(duration: 0.3)
            for color in [ToneGenerator.NoiseColor.white, .pink] {
                for snr in [20.0, 10.0, 5.0, 0.0] {
                    for (k, gain) in [1.0, 0.25].enumerated() {
                        let x = padded.map { Int16((Double($0) * gain).rounded()) }
                        let noise = ToneGenerator.noise(color, duration: Double(x.count) / 8000,
                                                        level: speechLevel + 20 * log10(gain) - snr, seed: UInt64(7 + k))
                        let digits = String(DTMFDetector.detect(in: muLaw(ToneGenerator.mix(x, noise))).map(\.digit.rawValue))
                        if !digits.isEmpty { found.append("\(sentence.text) / \(sentence.voice) / \(color) \(snr) dB: \(digits)") }
                    }
                }
            }
        }
        #expect(found == [])
    }
}
