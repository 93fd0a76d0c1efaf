import Testing
@testable import VoiceGateDSP

/// Power of a signal in dBm0 (full-scale sine = +3.14 dBm0), measured independently of the generator.
func measuredDBm0(_ x: [Int16]) -> Double {
    var p = 0.0
    for s in x { p += Double(s) * Double(s) }
    p /= Double(x.count)
    let fullScaleSinePower = 32768.0 * 32768.0 / 2
    return 10 * log10(p / fullScaleSinePower) + 3.14
}

private func log10(_ x: Double) -> Double {
    // ln via atanh series, enough for test measurements without Foundation.
    var m = x, e = 0.0
    while m > 2 { m /= 2; e += 1 }
    while m < 1 { m *= 2; e -= 1 }
    let y = (m - 1) / (m + 1), y2 = y * y
    var term = y, sum = 0.0
    for k in stride(from: 1, through: 61, by: 2) { sum += term / Double(k); term *= y2 }
    return (2 * sum + e * 0.6931471805599453) / 2.302585092994046
}

/// Magnitude of one DFT bin, normalised to the sine amplitude it would come from.
func sineAmplitude(of x: [Int16], at frequency: Double, sampleRate: Double = 8000) -> Double {
    var re = 0.0, im = 0.0
    for (n, s) in x.enumerated() {
        let w = 2 * Double.pi * frequency * Double(n) / sampleRate
        re += Double(s) * ToneMath.cos(w)
        im -= Double(s) * ToneMath.sin(w)
    }
    return 2 * (re * re + im * im).squareRoot() / Double(x.count)
}

@Suite struct ToneGeneratorTests {
    @Test func mathHelpersMatchKnownValues() {
        #expect(abs(ToneMath.sin(Double.pi / 6) - 0.5) < 1e-12)
        #expect(abs(ToneMath.cos(100 * Double.pi / 3) - -0.5) < 1e-9)
        #expect(abs(ToneMath.exp(1) - 2.718281828459045) < 1e-12)
        #expect(abs(ToneMath.gain(decibels: 20) - 10) < 1e-9)
    }

    @Test func fullScaleSineIsPlus314dBm0() {
        let beep = ToneGenerator.beep(frequency: 1000, duration: 1, level: 3.14)
        #expect(beep.max()! >= 32760)
        #expect(abs(measuredDBm0(beep) - 3.14) < 0.05)
    }

    @Test func dtmfDigitHasBothTonesAtTheirLevels() {
        // 160 ms = integer periods of nothing in particular; bins are far apart, leakage small.
        let tone = ToneGenerator.dtmf(.five, duration: 0.2, level: -10, twist: 4)
        #expect(tone.count == 1600)
        let low = sineAmplitude(of: tone, at: 770), high = sineAmplitude(of: tone, at: 1336)
        let expectedLow = 32768 * ToneMath.gain(decibels: -10 - 2 - 3.14)
        let expectedHigh = 32768 * ToneMath.gain(decibels: -10 + 2 - 3.14)
        #expect(abs(low / expectedLow - 1) < 0.03)
        #expect(abs(high / expectedHigh - 1) < 0.03)
        #expect(sineAmplitude(of: tone, at: 697) < expectedLow * 0.2)  // not a neighbouring row
    }

    @Test func frequencyDeviationMovesBothTones() {
        let tone = ToneGenerator.dtmf(.one, duration: 0.5, level: -10, frequencyDeviation: 0.03)
        #expect(sineAmplitude(of: tone, at: 697 * 1.03) > 5 * sineAmplitude(of: tone, at: 697))
        #expect(sineAmplitude(of: tone, at: 1209 * 1.03) > 5 * sineAmplitude(of: tone, at: 1209))
    }

    @Test func digitStringHasGapsOfSilence() {
        let s = ToneGenerator.dtmf(digits: "12x3", toneDuration: 0.05, gap: 0.04)
        #expect(s.count == 3 * 400 + 2 * 320)  // 'x' is skipped
        #expect(s[400..<720].allSatisfy { $0 == 0 })
        #expect(s[0..<400].contains { $0 != 0 })
    }

    @Test func sixteenKilohertzWorks() {
        let tone = ToneGenerator.dtmf(.nine, duration: 0.1, sampleRate: 16000)
        #expect(tone.count == 1600)
        #expect(sineAmplitude(of: tone, at: 1477, sampleRate: 16000) > 1000)
    }

    @Test(arguments: [ToneGenerator.NoiseColor.white, .pink])
    func noiseIsSeededAndAtLevel(color: ToneGenerator.NoiseColor) {
        let a = ToneGenerator.noise(color, duration: 1, level: -30, seed: 7)
        let b = ToneGenerator.noise(color, duration: 1, level: -30, seed: 7)
        let c = ToneGenerator.noise(color, duration: 1, level: -30, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(abs(measuredDBm0(a) - -30) < 0.1)
    }

    @Test func pinkNoiseHasMoreLowThanHighEnergy() {
        let pink = ToneGenerator.noise(.pink, duration: 2, level: -20, seed: 3)
        let white = ToneGenerator.noise(.white, duration: 2, level: -20, seed: 3)
        // The first difference is a high-pass: white noise doubles its power through it, pink loses most.
        func differenceGain(_ x: [Int16]) -> Double {
            var p = 0.0, d = 0.0
            for i in 1..<x.count {
                p += Double(x[i]) * Double(x[i])
                let diff = Double(x[i]) - Double(x[i - 1])
                d += diff * diff
            }
            return d / p
        }
        #expect(abs(differenceGain(white) - 2) < 0.1)
        #expect(differenceGain(pink) < 0.5)
    }

    @Test func mixSaturates() {
        let m = ToneGenerator.mix([30000, 1], [30000, 2, 3])
        #expect(m == [Int16.max, 3, 3])
    }
}
