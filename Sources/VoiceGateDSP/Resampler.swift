/// A streaming sample-rate converter for rational ratios (8 ⇄ 16 ⇄ 48 kHz on VoiceGate's paths):
/// a polyphase windowed-sinc (Kaiser) low-pass, upsampling by `upFactor` L and downsampling by
/// `downFactor` M without ever computing the discarded samples.
///
/// The prototype filter runs at the intermediate rate `inputRate × L`. Its cut-off sits between
/// the passband edge (`passbandFraction` of the lower Nyquist frequency, 3400 Hz of 4000 for
/// telephone band) and that Nyquist frequency, where the stop band starts, so nothing above the
/// lower Nyquist aliases into the output by more than the design attenuation. The filter is
/// linear-phase; its length is chosen so the delay is a whole number of both input and output
/// samples for the telephone rates (and of output samples for any other ratio), which lets callers
/// align streams exactly.
///
/// State (the last `tapsPerPhase − 1` input samples and the output phase) carries across calls,
/// so feeding a stream in any chunking gives the same samples as feeding it at once. All buffers
/// are allocated in `init`; `process` allocates nothing.
public struct Resampler: Sendable {
    /// Input sample rate in Hz.
    public let inputRate: Int
    /// Output sample rate in Hz.
    public let outputRate: Int
    /// L: the interpolation factor (`outputRate / gcd`).
    public let upFactor: Int
    /// M: the decimation factor (`inputRate / gcd`).
    public let downFactor: Int
    /// Length of the prototype low-pass filter at the intermediate rate.
    public let filterLength: Int
    /// Multiply-adds per output sample (the polyphase branch length, padded to a multiple of 8 for SIMD).
    public let tapsPerPhase: Int
    /// Group delay in output samples: an input event at time t appears in the output at t + delay.
    public let delay: Double
    /// Group delay in input samples.
    public var delayInInputSamples: Double { delay * Double(downFactor) / Double(upFactor) }
    /// Group delay in seconds.
    public var delaySeconds: Double { delay / Double(outputRate) }

    /// SIMD width of the dot product.
    static let lanes = 8

    /// Input samples converted per inner pass: bounds the work buffers allocated in `init`.
    static let chunk = 256

    /// Phase-major coefficients, `tapsPerPhase` per phase, each phase reversed for a forward dot product.
    private let coefficients: [Float]
    /// `tapsPerPhase − 1` samples of history followed by up to `chunk` new input samples.
    private var work: [Float]
    /// Time of the next output sample in units of the intermediate rate, relative to the next unread input sample.
    private var position = 0

    /// A resampler from `inputRate` to `outputRate`.
    /// - Parameters:
    ///   - stopbandAttenuation: design attenuation in dB beyond the lower Nyquist frequency (≥ 50, default 75).
    ///   - passbandFraction: passband edge as a fraction of the lower Nyquist frequency (default 0.85:
    ///     3400 Hz when 8 kHz is involved, 6800 Hz between 16 and 48 kHz).
    /// - Precondition: both rates positive and the reduced ratio L/M has L, M ≤ 1024.
    public init(from inputRate: Int, to outputRate: Int, stopbandAttenuation: Double = 75, passbandFraction: Double = 0.85) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        precondition(passbandFraction > 0 && passbandFraction < 1 && stopbandAttenuation >= 50, "unusable filter specification")
        var a = inputRate, b = outputRate
        while b != 0 { (a, b) = (b, a % b) }
        let up = outputRate / a, down = inputRate / a
        precondition(up <= 1024 && down <= 1024, "ratio \(outputRate)/\(inputRate) is too fine for a polyphase table")
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.upFactor = up
        self.downFactor = down

        let prototype = Self.designLowPass(up: up, down: down, inputRate: inputRate, outputRate: outputRate,
                                           attenuation: stopbandAttenuation, passbandFraction: passbandFraction)
        // Phases are padded with zero taps (on the oldest-sample side) to a multiple of the SIMD width.
        let taps = ((prototype.taps.count + up - 1) / up + Self.lanes - 1) / Self.lanes * Self.lanes
        var table = [Float](repeating: 0, count: up * taps)
        for phase in 0..<up {
            for k in 0..<taps where phase + k * up < prototype.taps.count {
                table[phase * taps + (taps - 1 - k)] = Float(prototype.taps[phase + k * up])
            }
        }
        self.filterLength = prototype.taps.count
        self.tapsPerPhase = taps
        self.delay = prototype.center / Double(down)
        self.coefficients = table
        self.work = [Float](repeating: 0, count: taps - 1 + Self.chunk)
    }

    // MARK: Bookkeeping

    /// Exactly how many samples the next `process` call will write for `inputCount` input samples.
    public func outputCount(forInputCount inputCount: Int) -> Int {
        let span = inputCount * upFactor - position
        return span > 0 ? (span + downFactor - 1) / downFactor : 0
    }

    /// An upper bound on `outputCount(forInputCount:)` that does not depend on the stream's state:
    /// size output buffers with this (⌈n·L/M⌉).
    public func maxOutputCount(forInputCount inputCount: Int) -> Int {
        (inputCount * upFactor + downFactor - 1) / downFactor
    }

    /// Input samples of silence `flush` feeds to push the last real input through the filter.
    public var flushInputCount: Int { Int((delayInInputSamples).rounded(.up)) + 1 }

    /// Forgets the history: the next input starts a new stream.
    public mutating func reset() {
        position = 0
        work.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    // MARK: Processing

    /// Resamples `input` (continuing the stream) into `output`.
    /// - Returns: the number of samples written, `outputCount(forInputCount: input.count)`.
    /// - Precondition: `output` holds at least that many samples.
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(output.count >= outputCount(forInputCount: input.count), "output buffer too small")
        return run(inputCount: input.count,
                   load: { from, dst in for i in 0..<dst.count { dst[i] = Float(input[from + i]) } },
                   store: { index, value in output[index] = Self.toInt16(value) })
    }

    /// Resamples `input` (continuing the stream) into `output`; samples keep the input's scale.
    /// - Returns: the number of samples written, `outputCount(forInputCount: input.count)`.
    public mutating func process(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) -> Int {
        precondition(output.count >= outputCount(forInputCount: input.count), "output buffer too small")
        return run(inputCount: input.count,
                   load: { from, dst in for i in 0..<dst.count { dst[i] = input[from + i] } },
                   store: { index, value in output[index] = value })
    }

    /// Resamples `input` into the start of `output`, whose existing storage is reused (no allocation
    /// when it is already large enough).
    /// - Returns: the number of samples written.
    public mutating func process(_ input: [Float], into output: inout [Float]) -> Int {
        input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { process(i, into: $0) } }
    }

    /// Ends the stream: feeds `flushInputCount` samples of silence so the input still inside the
    /// filter comes out.
    /// - Returns: the number of samples written (`outputCount(forInputCount: flushInputCount)`).
    public mutating func flush(into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(output.count >= outputCount(forInputCount: flushInputCount), "output buffer too small")
        return run(inputCount: flushInputCount,
                   load: { _, dst in dst.update(repeating: 0) },
                   store: { index, value in output[index] = Self.toInt16(value) })
    }

    /// Converts a whole clip at once, compensating the delay: sample i of the result corresponds to
    /// time i at `outputRate`, and there are exactly ⌈n·L/M⌉ of them. For offline use (files, prompts).
    public static func convert(_ samples: [Int16], from inputRate: Int, to outputRate: Int) -> [Int16] {
        var resampler = Resampler(from: inputRate, to: outputRate)
        let wanted = resampler.maxOutputCount(forInputCount: samples.count)
        let skip = Int(resampler.delay.rounded())
        var out = [Int16](repeating: 0, count: wanted + skip + resampler.maxOutputCount(forInputCount: resampler.flushInputCount) + 1)
        out.withUnsafeMutableBufferPointer { o in
            let n = samples.withUnsafeBufferPointer { resampler.process($0, into: o) }
            _ = resampler.flush(into: UnsafeMutableBufferPointer(rebasing: o[n...]))
        }
        return Array(out[skip..<skip + wanted])
    }

    // MARK: Core

    /// The polyphase loop shared by the sample formats: `load` converts a span of input into the
    /// work buffer, `store` writes one output sample.
    @inline(__always)
    private mutating func run(inputCount: Int,
                              load: (_ from: Int, _ into: UnsafeMutableBufferPointer<Float>) -> Void,
                              store: (_ index: Int, _ value: Float) -> Void) -> Int {
        let up = upFactor, down = downFactor, taps = tapsPerPhase, history = taps - 1
        var t = position
        var written = 0
        var consumed = 0
        coefficients.withUnsafeBufferPointer { coef in
            work.withUnsafeMutableBufferPointer { buf in
                while consumed < inputCount {
                    let count = min(Self.chunk, inputCount - consumed)
                    load(consumed, UnsafeMutableBufferPointer(rebasing: buf[history..<history + count]))
                    // Output n needs inputs up to i = t / L, found at buf[i ..< i + taps].
                    while true {
                        let i = t / up
                        if i >= count { break }
                        let c = UnsafeRawPointer(coef.baseAddress! + (t - i * up) * taps)
                        let x = UnsafeRawPointer(buf.baseAddress! + i)
                        var acc = SIMD8<Float>()
                        for m in stride(from: 0, to: taps * 4, by: 32) {
                            acc += c.loadUnaligned(fromByteOffset: m, as: SIMD8<Float>.self)
                                * x.loadUnaligned(fromByteOffset: m, as: SIMD8<Float>.self)
                        }
                        store(written, acc.sum())
                        written += 1
                        t += down
                    }
                    t -= count * up
                    // Keep the last `history` samples for the next pass (source is ahead of destination).
                    for m in 0..<history { buf[m] = buf[count + m] }
                    consumed += count
                }
            }
        }
        position = t
        return written
    }

    @inline(__always)
    static func toInt16(_ value: Float) -> Int16 {
        let r = value.rounded()
        return r >= 32767 ? .max : (r <= -32768 ? .min : Int16(r))
    }

    /// Kaiser-windowed sinc low-pass at the intermediate rate `inputRate × up`, gain `up` at DC.
    /// Returns the taps and the index of the centre tap (the delay in intermediate-rate samples).
    static func designLowPass(up: Int, down: Int, inputRate: Int, outputRate: Int,
                              attenuation: Double, passbandFraction: Double) -> (taps: [Double], center: Double) {
        if up == 1 && down == 1 { return ([1], 0) }  // same rate: a copy
        let intermediate = Double(inputRate * up)
        let nyquist = Double(min(inputRate, outputRate)) / 2
        let passEdge = passbandFraction * nyquist
        let cutoff = (passEdge + nyquist) / 2 / intermediate       // cycles per intermediate sample
        let transition = 2 * Double.pi * (nyquist - passEdge) / intermediate  // radians per sample
        let minimumLength = Int(((attenuation - 7.95) / (2.285 * transition)).rounded(.up)) + 1
        // Make the centre a whole number of input and output samples when the table stays small,
        // so delays of chained resamplers add up to whole samples; otherwise (22050 → 8000 for
        // speech synthesis) at least a whole number of output samples, so `convert` can remove
        // the delay exactly.
        let grain = up * down <= 64 ? up * down : down
        let half = ((minimumLength - 1) / 2 + grain - 1) / grain * grain
        let length = 2 * half + 1
        let beta = 0.1102 * (attenuation - 8.7)  // Kaiser's β for attenuations of 50 dB and more
        let norm = besselI0(beta)
        var taps = [Double](repeating: 0, count: length)
        var sum = 0.0
        for j in 0..<length {
            let x = Double(j - half)
            let sinc = x == 0 ? 2 * cutoff : sine(2 * Double.pi * cutoff * x) / (Double.pi * x)
            let r = x / Double(half)
            let window = besselI0(beta * (1 - r * r).squareRoot()) / norm
            taps[j] = sinc * window
            sum += taps[j]
        }
        let gain = Double(up) / sum
        for j in 0..<length { taps[j] *= gain }
        return (taps, Double(half))
    }

    /// The zeroth-order modified Bessel function of the first kind, by its power series.
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let q = x * x / 4
        while term > 1e-12 * sum {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }

    /// sin(x) from the standard library alone (VoiceGateDSP imports no Foundation): range-reduced Taylor series.
    static func sine(_ x: Double) -> Double {
        let twoPi = 2 * Double.pi
        var r = x - (x / twoPi).rounded() * twoPi  // r in [-π, π]
        if r > Double.pi / 2 { r = Double.pi - r } else if r < -Double.pi / 2 { r = -Double.pi - r }
        let r2 = r * r
        var term = r, sum = r, n = 1.0
        while abs(term) > 1e-17 {
            term *= -r2 / ((n + 1) * (n + 2))
            sum += term
            n += 2
        }
        return sum
    }
}
