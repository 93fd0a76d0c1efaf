import Foundation

/// An arbitrary-ratio band-limited resampler (Kaiser-windowed sinc, polyphase for rational
/// ratios) for offline use: TTS output at 22050 Hz to 8 or 16 kHz, recorded prompts between
/// 8 and 16 kHz. Quality matters more than speed here because results are cached, so the
/// filter is long (32 zero crossings each side) and the stop band deep (Kaiser beta 9, about
/// -90 dB). The low-pass sits at 85% of the lower Nyquist frequency: 3.4 kHz for 8 kHz output,
/// which is the telephone band edge.
public struct SincResampler: Sendable {
    /// Input sample rate in Hz.
    public let inputRate: Int
    /// Output sample rate in Hz.
    public let outputRate: Int
    /// Output sample n sits at input position `n * num / den` (the rate ratio, reduced).
    private let step: (num: Int, den: Int)
    private let halfWidth: Int
    /// One filter per output phase, `2 * halfWidth` taps each, row-major.
    private let table: [Float]
    private let tapsPerPhase: Int

    /// Zero crossings of the sinc kept on each side of the centre.
    static let zeroCrossings = 32
    /// Kaiser window shape: higher is a deeper stop band and a wider transition.
    static let kaiserBeta = 9.0
    /// Cut-off as a fraction of the lower Nyquist frequency.
    static let cutoffFraction = 0.85

    /// A resampler from `inputRate` to `outputRate` Hz (both positive, and with a reduced ratio
    /// whose output side is at most 8192, e.g. 22050 → 8000 is 441/160: true of every rate in use).
    public init(from inputRate: Int, to outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let g = Self.gcd(inputRate, outputRate)
        // Output sample n sits at input position n * num / den; den is the number of phases.
        step = (inputRate / g, outputRate / g)
        precondition(step.den <= 8192, "resampling ratio \(inputRate)/\(outputRate) has too many phases")
        let cutoff = Self.cutoffFraction * Double(min(inputRate, outputRate)) / 2 / Double(inputRate)  // cycles per input sample
        let hw = Int((Double(Self.zeroCrossings) / (2 * cutoff)).rounded(.up))
        halfWidth = hw
        tapsPerPhase = 2 * hw
        let phases = step.den
        var t = [Float](repeating: 0, count: phases * tapsPerPhase)
        let i0 = Self.besselI0(Self.kaiserBeta)
        for p in 0..<phases {
            let frac = Double(p) / Double(phases)  // output position minus floor, in input samples
            for k in 0..<tapsPerPhase {
                // Tap k multiplies input sample floor(pos) - hw + 1 + k.
                let d = Double(k - hw + 1) - frac
                t[p * tapsPerPhase + k] = Float(Self.kernel(d, cutoff: cutoff, halfWidth: Double(hw), i0: i0))
            }
        }
        table = t
    }

    /// Resamples a whole clip of samples; the output has `round(count * out / in)` samples and is
    /// aligned so that output sample 0 is input sample 0 (no delay).
    public func process(_ input: [Int16]) -> [Int16] {
        if inputRate == outputRate { return input }
        let outCount = Int((Double(input.count) * Double(outputRate) / Double(inputRate)).rounded())
        var out = [Int16](repeating: 0, count: outCount)
        let (num, den) = step
        input.withUnsafeBufferPointer { x in
            table.withUnsafeBufferPointer { h in
                out.withUnsafeMutableBufferPointer { y in
                    for n in 0..<outCount {
                        let position = n * num
                        let base = position / den
                        let phase = position % den
                        let first = base - halfWidth + 1
                        let row = phase * tapsPerPhase
                        var acc: Float = 0
                        let kStart = max(0, -first)
                        let kEnd = min(tapsPerPhase, x.count - first)
                        if kStart < kEnd {
                            for k in kStart..<kEnd {
                                acc += Float(x[first + k]) * h[row + k]
                            }
                        }
                        y[n] = Int16(max(-32768, min(32767, acc.rounded())))
                    }
                }
            }
        }
        return out
    }

    /// Windowed sinc low-pass with unity DC gain at `d` input samples from the centre.
    static func kernel(_ d: Double, cutoff: Double, halfWidth: Double, i0: Double) -> Double {
        let x = d / halfWidth
        if abs(x) >= 1 { return 0 }
        let arg = 2 * Double.pi * cutoff * d
        let sinc = d == 0 ? 1 : sin(arg) / arg
        let window = besselI0(kaiserBeta * (1 - x * x).squareRoot()) / i0
        return 2 * cutoff * sinc * window
    }

    /// Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 20).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0
        let q = x * x / 4
        for k in 1..<64 {
            term *= q / Double(k * k)
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
