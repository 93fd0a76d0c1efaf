import Testing
import VoiceGateDSP

/// Offline conversion (`AudioClip.resampled`), as used for speech synthesis at 22,050 Hz and
/// for recordings at other rates: in-band tones keep level, length and timing; what the output
/// rate cannot carry is removed, not folded back.
@Suite struct ResamplerConvertTests {
    func tone(_ hz: Double, rate: Int, seconds: Double, amplitude: Double = 10000) -> [Int16] {
        var out: [Int16] = []
        var phase = 0.0
        let step = 2 * Double.pi * hz / Double(rate)
        for _ in 0..<Int(Double(rate) * seconds) {
            out.append(Int16(amplitude * Self.sine(phase)))
            phase += step
        }
        return out
    }

    /// sin(x) via a short argument reduction and Taylor series (the standard library has none).
    static func sine(_ x: Double) -> Double {
        let twoPi = 2 * Double.pi
        var r = x - (x / twoPi).rounded(.down) * twoPi
        if r > Double.pi { r -= twoPi }
        var term = r, sum = r
        for n in 1...12 {
            term *= -r * r / Double((2 * n) * (2 * n + 1))
            sum += term
        }
        return sum
    }

    func rms(_ x: ArraySlice<Int16>) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    @Test(arguments: [(22050, 8000), (22050, 16000), (16000, 8000), (8000, 16000), (44100, 8000)])
    func passbandToneKeepsLevelLengthAndTiming(rates: (Int, Int)) {
        let (from, to) = rates
        let input = tone(1000, rate: from, seconds: 0.5)
        let out = AudioClip(sampleRate: from, samples: input).resampled(to: to).samples
        #expect(out.count == to / 2)
        let level = rms(out[out.count / 4..<out.count * 3 / 4]) / rms(input[input.count / 4..<input.count * 3 / 4])
        #expect(abs(level - 1) < 0.01, "gain \(level)")
        // Output sample n matches the tone at time n / to: the filter's delay is removed.
        let expected = tone(1000, rate: to, seconds: 0.5)
        let err = zip(out, expected).dropFirst(out.count / 4).prefix(out.count / 2).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(err < 60, "max error \(err)")
    }

    @Test func toneAboveTheTelephoneBandIsRemovedAt8kHz() {
        // 5 kHz would alias to 3 kHz at 8 kHz output if it were not filtered out.
        let out = AudioClip(sampleRate: 22050, samples: tone(5000, rate: 22050, seconds: 0.5)).resampled(to: 8000).samples
        #expect(rms(out[out.count / 4..<out.count * 3 / 4]) < 10)
    }
}
