import Foundation

/// Test signals and measurements shared by the codec tests.
enum Signals {
    /// A sine of `frequency` Hz at `amplitude` (linear 16-bit units), `count` samples at `rate`.
    static func tone(_ frequency: Double, rate: Int, count: Int, amplitude: Double = 8000, phase: Double = 0) -> [Int16] {
        (0..<count).map { Int16((amplitude * sin(2 * .pi * frequency * Double($0) / Double(rate) + phase)).rounded()) }
    }

    /// A tone gliding linearly from `start` to `end` Hz over `count` samples at `rate` (a chirp).
    static func glide(from start: Double, to end: Double, rate: Int, count: Int, amplitude: Double = 8000) -> [Int16] {
        let duration = Double(count) / Double(rate)
        return (0..<count).map { i in
            let t = Double(i) / Double(rate)
            let phase = 2 * Double.pi * (start * t + (end - start) * t * t / (2 * duration))
            return Int16((amplitude * sin(phase)).rounded())
        }
    }

    /// Root mean square of `x`.
    static func rms<S: Collection>(_ x: S) -> Double where S.Element == Int16 {
        guard !x.isEmpty else { return 0 }
        return sqrt(x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count))
    }

    /// Normalised correlation of `a[range]` with `b` shifted by `lag` (b[i + lag] against a[i]).
    static func correlation(_ a: [Int16], _ b: [Int16], range: Range<Int>, lag: Int) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in range {
            let x = Double(a[i]), y = Double(b[i + lag])
            ab += x * y; aa += x * x; bb += y * y
        }
        return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0
    }

    /// The lag in `lags` at which `b` best matches `a` over `range`, and the correlation there.
    static func bestLag(_ a: [Int16], _ b: [Int16], range: Range<Int>, lags: ClosedRange<Int>) -> (lag: Int, correlation: Double) {
        var best = (lag: lags.lowerBound, correlation: -2.0)
        for lag in lags {
            let c = correlation(a, b, range: range, lag: lag)
            if c > best.correlation { best = (lag, c) }
        }
        return best
    }

    /// Signal-to-noise ratio in dB of `b` (shifted by `lag`) as a copy of `a` over `range`.
    static func snr(_ a: [Int16], _ b: [Int16], range: Range<Int>, lag: Int) -> Double {
        var signal = 0.0, noise = 0.0
        for i in range {
            let x = Double(a[i]), e = Double(b[i + lag]) - x
            signal += x * x; noise += e * e
        }
        return 10 * log10(signal / max(noise, 1e-9))
    }
}
