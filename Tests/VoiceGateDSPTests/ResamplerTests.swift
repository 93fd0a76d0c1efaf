import Foundation
import Testing
import VoiceGateDSP

/// Measurements on sines through the resampler, in the Float path (no quantisation floor) unless a
/// test is about Int16.
enum Tone {
    /// A sine; the default phase keeps a tone at exactly the new Nyquist frequency from being
    /// sampled at its zero crossings (which would hide its alias).
    static func sine(_ f: Double, rate: Int, count: Int, amplitude: Double = 10000, phase: Double = 0.7) -> [Float] {
        (0..<count).map { Float(amplitude * sin(2 * .pi * f * Double($0) / Double(rate) + phase)) }
    }

    /// Least-squares fit of a sinusoid at `f` to `y[range]`: its amplitude and the RMS of what is left.
    static func fit(_ y: [Float], f: Double, rate: Int, range: Range<Int>) -> (amplitude: Double, residualRMS: Double) {
        var ss = 0.0, cc = 0.0, sc = 0.0, ys = 0.0, yc = 0.0
        for n in range {
            let w = 2 * Double.pi * f * Double(n) / Double(rate)
            let s = sin(w), c = cos(w), v = Double(y[n])
            ss += s * s; cc += c * c; sc += s * c; ys += v * s; yc += v * c
        }
        let det = ss * cc - sc * sc
        let a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det
        var residual = 0.0
        for n in range {
            let w = 2 * Double.pi * f * Double(n) / Double(rate)
            let e = Double(y[n]) - a * sin(w) - b * cos(w)
            residual += e * e
        }
        return ((a * a + b * b).squareRoot(), (residual / Double(range.count)).squareRoot())
    }

    static func rms(_ y: [Float], range: Range<Int>) -> Double {
        (range.reduce(0.0) { $0 + Double(y[$1]) * Double(y[$1]) } / Double(range.count)).squareRoot()
    }

    /// Runs `input` through a fresh resampler in one call (Float path).
    static func resample(_ input: [Float], from: Int, to: Int) -> [Float] {
        var r = Resampler(from: from, to: to)
        var out = [Float](repeating: 0, count: r.maxOutputCount(forInputCount: input.count))
        let n = r.process(input, into: &out)
        return Array(out[0..<n])
    }

    /// The steady-state part of an output of `count` samples: skip the filter's start-up.
    static func steady(_ count: Int, rate: Int) -> Range<Int> { (rate / 20)..<(count - rate / 50) }
}

@Suite struct ResamplerTests {
    static let ratios: [(Int, Int)] = [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 8000), (16000, 48000), (48000, 16000)]

    /// 16 kHz → 8 kHz: a 5 kHz sine (above the new 4 kHz Nyquist) would alias to 3 kHz; it must come
    /// out at least 60 dB below a 1 kHz sine of the same level. Measured on the Float path: on the
    /// Int16 path the alias is below half a bit and rounds to silence.
    @Test func downsamplingRejectsAliasesBy60dB() {
        func outputRMS(_ f: Double) -> Double {
            let out = Tone.resample(Tone.sine(f, rate: 16000, count: 16000), from: 16000, to: 8000)
            #expect(out.count == 8000)
            return Tone.rms(out, range: Tone.steady(out.count, rate: 8000))
        }
        let wanted = outputRMS(1000), alias = outputRMS(5000)
        let rejection = 20 * log10(wanted / max(alias, 1e-9))
        #expect(rejection >= 60, "alias of 5 kHz only \(rejection) dB below 1 kHz")
        #expect(wanted > 7000 * 0.7)  // the 1 kHz tone (rms ≈ 7071) passes
    }

    /// Every downsampler rejects every stop-band tone from the lower Nyquist frequency up by ≥ 60 dB,
    /// and every upsampler puts its images ≥ 60 dB below the tone.
    @Test(arguments: ratios)
    func stopBandRejectionAcrossTheBand(from: Int, to: Int) {
        let nyquist = Double(min(from, to)) / 2
        var worst = Double.infinity, worstFrequency = 0.0
        if to < from {
            // Tones from the new Nyquist frequency to the old one: whatever comes out is alias.
            // Densely near the band edge, where the filter is weakest, coarsely beyond.
            let near = Array(stride(from: nyquist, to: 2 * nyquist, by: nyquist / 32))
            let far = Array(stride(from: 2 * nyquist, to: Double(from) / 2, by: nyquist / 4))
            for f in near + far {
                let out = Tone.resample(Tone.sine(f, rate: from, count: from / 8), from: from, to: to)
                let level = Tone.rms(out, range: Tone.steady(out.count, rate: to))
                let rejection = 20 * log10(10000 / 2.squareRoot() / max(level, 1e-9))
                if rejection < worst { (worst, worstFrequency) = (rejection, f) }
            }
        } else {
            // Passband tones: everything but the tone itself is an image.
            for f in stride(from: 100, through: 0.85 * nyquist, by: nyquist / 16) {
                let out = Tone.resample(Tone.sine(f, rate: from, count: from / 8), from: from, to: to)
                let fit = Tone.fit(out, f: f, rate: to, range: Tone.steady(out.count, rate: to))
                let rejection = 20 * log10(fit.amplitude / 2.squareRoot() / max(fit.residualRMS, 1e-9))
                if rejection < worst { (worst, worstFrequency) = (rejection, f) }
            }
        }
        #expect(worst >= 60, "\(from)→\(to): worst rejection \(worst) dB at \(worstFrequency) Hz")
    }

    /// 300–3400 Hz passes within ±0.5 dB between 8 and 16 kHz (and 8 and 48 kHz).
    @Test(arguments: [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 8000)])
    func passbandIsFlatOverTheTelephoneBand(from: Int, to: Int) {
        var lowest = Double.infinity, highest = -Double.infinity
        for f in stride(from: 300.0, through: 3400, by: 100) {
            let out = Tone.resample(Tone.sine(f, rate: from, count: from / 8), from: from, to: to)
            let fit = Tone.fit(out, f: f, rate: to, range: Tone.steady(out.count, rate: to))
            let gain = 20 * log10(fit.amplitude / 10000)
            lowest = min(lowest, gain)
            highest = max(highest, gain)
        }
        #expect(lowest >= -0.5 && highest <= 0.5, "\(from)→\(to): gain \(lowest)...\(highest) dB")
    }

    /// 8 → 48 → 8 kHz gives back the input, delayed by exactly the two reported delays.
    @Test func roundTrip8to48to8() {
        let count = 8000
        let input: [Int16] = (0..<count).map { n in
            let t = Double(n) / 8000
            let a = 6000 * sin(2 * Double.pi * 440 * t)
            let b = 4000 * sin(2 * Double.pi * 1270 * t + 1)
            let c = 3000 * sin(2 * Double.pi * 3100 * t + 2)
            return Int16((a + b + c).rounded())
        }
        var up = Resampler(from: 8000, to: 48000), down = Resampler(from: 48000, to: 8000)
        var mid = [Int16](repeating: 0, count: up.maxOutputCount(forInputCount: count))
        var out = [Int16](repeating: 0, count: count)
        let m = input.withUnsafeBufferPointer { i in mid.withUnsafeMutableBufferPointer { up.process(i, into: $0) } }
        let n = mid.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { down.process(UnsafeBufferPointer(rebasing: i[0..<m]), into: $0) }
        }
        #expect(m == 6 * count && n == count)
        let total = up.delay / 6 + down.delay  // in 8 kHz samples
        #expect(total == total.rounded(), "delays should be whole samples, got \(total)")
        let lag = Int(total)
        var signal = 0.0, noise = 0.0
        for i in 400..<(count - lag) {
            let e = Double(out[i + lag]) - Double(input[i])
            signal += Double(input[i]) * Double(input[i]); noise += e * e
        }
        let snr = 10 * log10(signal / noise)
        #expect(snr > 50, "round-trip SNR \(snr) dB at the reported delay \(lag)")
    }

    /// An impulse comes out at exactly the reported group delay.
    @Test(arguments: ratios)
    func impulseAppearsAtTheReportedDelay(from: Int, to: Int) {
        var r = Resampler(from: from, to: to)
        let k = 40  // impulse at input M·k ↔ output L·k
        var input = [Float](repeating: 0, count: r.downFactor * k + 4 * from / 100)
        input[r.downFactor * k] = 10000
        var out = [Float](repeating: 0, count: r.maxOutputCount(forInputCount: input.count))
        let n = r.process(input, into: &out)
        let peak = (0..<n).max { abs(out[$0]) < abs(out[$1]) }!
        #expect(Double(peak) == Double(r.upFactor * k) + r.delay, "\(from)→\(to): peak at \(peak), delay \(r.delay)")
        #expect(r.delaySeconds > 0 && r.delaySeconds < 0.01)
    }

    /// Over a long stream in uneven chunks, each call writes exactly what `outputCount` promised,
    /// the total is exactly ⌈n·L/M⌉, and the samples equal one-shot processing.
    @Test(arguments: ratios)
    func streamingBookkeepingIsExact(from: Int, to: Int) {
        var generator = SplitMix(seed: UInt64(from * 7 + to))
        let total = from + 17  // one second and a bit: 50 frames in uneven pieces
        let input: [Int16] = (0..<total).map { _ in Int16(truncatingIfNeeded: generator.next() % 20000) - 10000 }
        var oneShot = Resampler(from: from, to: to)
        var expected = [Int16](repeating: 0, count: oneShot.maxOutputCount(forInputCount: total))
        let all = input.withUnsafeBufferPointer { i in expected.withUnsafeMutableBufferPointer { oneShot.process(i, into: $0) } }
        #expect(all == (total * oneShot.upFactor + oneShot.downFactor - 1) / oneShot.downFactor)

        var streaming = Resampler(from: from, to: to)
        var got: [Int16] = []
        var buffer = [Int16](repeating: 0, count: streaming.maxOutputCount(forInputCount: 1000))
        let sizes = [0, 1, 2, 3, 159, 160, 255, 256, 257, 999]
        var offset = 0
        while offset < total {
            let size = min(total - offset, sizes[Int(generator.next() % UInt64(sizes.count))])
            let promised = streaming.outputCount(forInputCount: size)
            #expect(promised <= streaming.maxOutputCount(forInputCount: size))
            let n = input.withUnsafeBufferPointer { i in
                buffer.withUnsafeMutableBufferPointer {
                    streaming.process(UnsafeBufferPointer(rebasing: i[offset..<offset + size]), into: $0)
                }
            }
            #expect(n == promised)
            got += buffer[0..<n]
            offset += size
        }
        #expect(got.count == all)
        #expect(got == Array(expected[0..<all]))
    }

    @Test func sameRateIsACopyWithNoDelay() {
        var r = Resampler(from: 8000, to: 8000)
        let input: [Float] = [1, -2, 3, 4.5, 32767]
        var out = [Float](repeating: 0, count: 5)
        #expect(r.process(input, into: &out) == 5)
        #expect(out == input && r.delay == 0)
    }

    /// `convert` compensates the delay and returns exactly ⌈n·L/M⌉ samples, aligned with the input.
    @Test func convertIsAlignedAndExactLength() {
        let input = Tone.sine(700, rate: 16000, count: 1601).map { Int16($0.rounded()) }
        let out = Resampler.convert(input, from: 16000, to: 8000)
        #expect(out.count == 801)
        let fit = Tone.fit(out.map(Float.init), f: 700, rate: 8000, range: 100..<700)
        #expect(abs(fit.amplitude - 10000) < 50)
        // Aligned: sample 2i of the input is sample i of the output (to within the filter's ripple).
        for i in stride(from: 100, to: 700, by: 37) {
            #expect(abs(Int(out[i]) - Int(input[2 * i])) < 30, "sample \(i): \(out[i]) vs \(input[2 * i])")
        }
        // The end of the clip comes out too (flush), not silence.
        #expect(abs(Int(out[790]) - Int(input[1580])) < 30)
    }

    /// Int16 output saturates instead of wrapping.
    @Test func int16OutputSaturates() {
        var r = Resampler(from: 8000, to: 16000)
        let input = [Int16](repeating: 0, count: 200) + [Int16](repeating: .max, count: 200) + [Int16](repeating: .min, count: 200)
        var out = [Int16](repeating: 0, count: 1200)
        let n = input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { r.process(i, into: $0) } }
        // The step overshoots (Gibbs); a wrap would show up as a sign flip inside the constant runs.
        let lag = Int(r.delay)
        #expect(out[(500 + lag)..<(700 + lag)].allSatisfy { $0 > 30000 })
        #expect(out[(900 + lag)..<min(n, 1100 + lag)].allSatisfy { $0 < -30000 })
    }
}

/// A tiny deterministic generator so test inputs are reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
