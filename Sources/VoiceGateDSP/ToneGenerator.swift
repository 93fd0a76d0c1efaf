/// Test and prompt tones: DTMF digits and strings, beeps and comfort noise, as 16-bit PCM.
///
/// Levels are in dBm0 with the G.711/spandsp convention that a full-scale sine is +3.14 dBm0;
/// for noise the level is its mean power on the same scale. Everything is deterministic: same
/// arguments (and seed), same samples. Sines are made by rotating a phasor, so the per-sample
/// cost is a complex multiply and no trigonometric call.
public enum ToneGenerator {
    /// Spectral colour of comfort noise.
    public enum NoiseColor: Sendable {
        /// Flat spectrum.
        case white
        /// −3 dB per octave (Paul Kellet's filter on white noise).
        case pink
    }

    /// A DTMF digit's two tones.
    /// - Parameters:
    ///   - digit: the key.
    ///   - duration: seconds.
    ///   - level: mean level per tone in dBm0; the low tone is `level − twist/2`, the high tone
    ///     `level + twist/2` (as in the labelled corpus).
    ///   - twist: high-group level minus low-group level, dB.
    ///   - frequencyDeviation: relative offset applied to both tones (0.015 = +1.5%).
    ///   - sampleRate: 8000 or 16000 (any rate works).
    ///   - phase: start phase in radians of both tones.
    public static func dtmf(_ digit: DTMFDigit, duration: Double, level: Double = -10, twist: Double = 0,
                            frequencyDeviation: Double = 0, sampleRate: Int = 8000, phase: Double = 0) -> [Int16] {
        var out = [Float](repeating: 0, count: sampleCount(duration, sampleRate))
        addSine(into: &out, frequency: digit.lowFrequency * (1 + frequencyDeviation),
                amplitude: ToneMath.sineAmplitude(dBm0: level - twist / 2), sampleRate: sampleRate, phase: phase)
        addSine(into: &out, frequency: digit.highFrequency * (1 + frequencyDeviation),
                amplitude: ToneMath.sineAmplitude(dBm0: level + twist / 2), sampleRate: sampleRate, phase: phase)
        return quantize(out)
    }

    /// A digit string: each digit `toneDuration` long, separated by `gap` seconds of silence.
    /// Characters that are not DTMF keys are skipped.
    public static func dtmf(digits: String, toneDuration: Double = 0.1, gap: Double = 0.1, level: Double = -10,
                            twist: Double = 0, frequencyDeviation: Double = 0, sampleRate: Int = 8000) -> [Int16] {
        var out: [Int16] = []
        let keys = digits.compactMap { DTMFDigit($0) }
        for (i, key) in keys.enumerated() {
            if i > 0 { out.append(contentsOf: silence(duration: gap, sampleRate: sampleRate)) }
            out.append(contentsOf: dtmf(key, duration: toneDuration, level: level, twist: twist,
                                        frequencyDeviation: frequencyDeviation, sampleRate: sampleRate))
        }
        return out
    }

    /// A single sine beep.
    public static func beep(frequency: Double, duration: Double, level: Double = -10, sampleRate: Int = 8000) -> [Int16] {
        var out = [Float](repeating: 0, count: sampleCount(duration, sampleRate))
        addSine(into: &out, frequency: frequency, amplitude: ToneMath.sineAmplitude(dBm0: level), sampleRate: sampleRate)
        return quantize(out)
    }

    /// Digital silence.
    public static func silence(duration: Double, sampleRate: Int = 8000) -> [Int16] {
        [Int16](repeating: 0, count: sampleCount(duration, sampleRate))
    }

    /// Comfort noise at a mean power of `level` dBm0, from a seeded generator.
    public static func noise(_ color: NoiseColor = .white, duration: Double, level: Double = -50, seed: UInt64 = 1,
                             sampleRate: Int = 8000) -> [Int16] {
        let n = sampleCount(duration, sampleRate)
        var rng = SplitMix64(seed: seed)
        var out = [Float](repeating: 0, count: n)
        var b0: Float = 0, b1: Float = 0, b2: Float = 0
        for i in 0..<n {
            // Sum of four uniforms: close enough to Gaussian, no log/cos needed.
            var white: Float = -2
            for _ in 0..<4 { white += rng.nextUnitFloat() }
            switch color {
            case .white:
                out[i] = white
            case .pink:
                b0 = 0.99765 * b0 + white * 0.0990460
                b1 = 0.96300 * b1 + white * 0.2965164
                b2 = 0.57000 * b2 + white * 1.0526913
                out[i] = b0 + b1 + b2 + white * 0.1848
            }
        }
        // Scale to the exact requested power, measured on what was generated.
        var power = 0.0
        for x in out { power += Double(x) * Double(x) }
        power /= Double(max(n, 1))
        let target = meanPower(dBm0: level)
        let scale = Float(power > 0 ? (target / power).squareRoot() : 0)
        for i in 0..<n { out[i] *= scale }
        return quantize(out)
    }

    /// Adds `b` into `a` sample by sample with saturation; the result is as long as the longer one.
    public static func mix(_ a: [Int16], _ b: [Int16], offset: Int = 0) -> [Int16] {
        var out = a
        if out.count < offset + b.count { out += [Int16](repeating: 0, count: offset + b.count - out.count) }
        for (i, x) in b.enumerated() {
            let sum = Int32(out[offset + i]) + Int32(x)
            out[offset + i] = Int16(clamping: sum)
        }
        return out
    }

    /// Mean power (squared 16-bit units) of a signal at `dBm0`.
    public static func meanPower(dBm0: Double) -> Double {
        let a = ToneMath.sineAmplitude(dBm0: dBm0)
        return a * a / 2
    }

    /// Adds a sine into a float buffer by phasor rotation (renormalised every block to stop drift).
    static func addSine(into out: inout [Float], frequency: Double, amplitude: Double, sampleRate: Int,
                        phase: Double = 0) {
        let w = ToneMath.twoPi * frequency / Double(sampleRate)
        let stepRe = ToneMath.cos(w), stepIm = ToneMath.sin(w)
        var re = ToneMath.cos(phase), im = ToneMath.sin(phase)
        for i in 0..<out.count {
            out[i] += Float(amplitude * im)
            let nre = re * stepRe - im * stepIm
            im = re * stepIm + im * stepRe
            re = nre
            if i & 255 == 255 {
                let norm = 1 / (re * re + im * im).squareRoot()
                re *= norm
                im *= norm
            }
        }
    }

    static func sampleCount(_ duration: Double, _ sampleRate: Int) -> Int {
        max(0, Int((duration * Double(sampleRate)).rounded()))
    }

    static func quantize(_ x: [Float]) -> [Int16] {
        x.map { Int16(clamping: Int32(($0).rounded())) }
    }
}

/// SplitMix64: a tiny, fast, well-mixed seeded generator for reproducible noise.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
}
