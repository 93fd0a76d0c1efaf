/// Log-mel filterbank features of 8 kHz telephone speech, the keyword model's input.
///
/// Exactly the computation of `scripts/keywords/features.py` (the training side; parity is
/// tested against a fixture that script made): samples scaled to [-1, 1), 25 ms frames
/// (200 samples) every 10 ms (80), periodic Hann window, 256-point FFT, power spectrum,
/// 40 triangular HTK-mel bands from 100 to 3800 Hz with weights from each bin's exact
/// frequency, natural log of band energy plus 1e-6. Frame `k` covers samples
/// `[80k, 80k + 200)`. All buffers are allocated in `init`; `compute` allocates nothing.
public struct LogMelFeatures: Sendable {
    /// Samples per second the features are defined for.
    public static let sampleRate = 8000
    /// Samples per frame (25 ms).
    public static let frameLength = 200
    /// Samples between frame starts (10 ms).
    public static let hop = 80
    /// FFT size.
    public static let fftSize = 256
    /// Mel bands per frame.
    public static let bandCount = 40
    /// Lowest and highest band edges, Hz.
    public static let minimumHz = 100.0, maximumHz = 3800.0
    /// Added to band energy before the log, so silence gives a finite floor.
    public static let floor: Float = 1e-6

    /// How many frames `sampleCount` samples give.
    public static func frameCount(sampleCount: Int) -> Int {
        sampleCount < frameLength ? 0 : (sampleCount - frameLength) / hop + 1
    }

    private let window: [Float]
    /// Per band: first FFT bin and its weights (the triangle's non-zero part).
    private let bandStart: [Int]
    private let bandWeights: [[Float]]
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let bitReversed: [Int]
    private var real: [Float]
    private var imag: [Float]
    private var power: [Float]

    /// A feature extractor with its tables and scratch buffers.
    public init() {
        let n = Self.fftSize
        window = (0..<Self.frameLength).map { i in
            Float(0.5 - 0.5 * ToneMath.cos(2 * Double.pi * Double(i) / Double(Self.frameLength)))
        }
        func mel(_ f: Double) -> Double { 2595 * ToneMath.log(1 + f / 700) / ToneMath.log(10) }
        func hz(_ m: Double) -> Double { 700 * (ToneMath.exp(m / 2595 * ToneMath.log(10)) - 1) }
        let lo = mel(Self.minimumHz), hi = mel(Self.maximumHz)
        let edges = (0..<(Self.bandCount + 2)).map { hz(lo + (hi - lo) * Double($0) / Double(Self.bandCount + 1)) }
        var starts: [Int] = [], weights: [[Float]] = []
        for m in 0..<Self.bandCount {
            let (a, c, b) = (edges[m], edges[m + 1], edges[m + 2])
            var first = -1
            var w: [Float] = []
            for k in 0...(n / 2) {
                let f = Double(k) * Double(Self.sampleRate) / Double(n)
                let v = max(0, min((f - a) / (c - a), (b - f) / (b - c)))
                if v > 0 {
                    if first < 0 { first = k }
                    w.append(Float(v))
                } else if first >= 0 {
                    break
                }
            }
            starts.append(max(first, 0))
            weights.append(w)
        }
        bandStart = starts
        bandWeights = weights
        cosTable = (0..<(n / 2)).map { Float(ToneMath.cos(-2 * Double.pi * Double($0) / Double(n))) }
        sinTable = (0..<(n / 2)).map { Float(ToneMath.sin(-2 * Double.pi * Double($0) / Double(n))) }
        var bits = 0
        while (1 << bits) < n { bits += 1 }
        bitReversed = (0..<n).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
        real = [Float](repeating: 0, count: n)
        imag = [Float](repeating: 0, count: n)
        power = [Float](repeating: 0, count: n / 2 + 1)
    }

    /// Features of `samples` (8 kHz) written band-major into `output`:
    /// `output[band * stride + frame]`, for `frameCount(sampleCount:)` frames; `stride` must be
    /// at least that many and `output` at least `bandCount * stride` long. Returns the frame count.
    @discardableResult
    public mutating func compute(_ samples: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Float>,
                                 stride: Int) -> Int {
        let frames = Self.frameCount(sampleCount: samples.count)
        precondition(stride >= frames && output.count >= Self.bandCount * stride, "feature buffer too small")
        for t in 0..<frames {
            frame(samples, start: t * Self.hop)
            for m in 0..<Self.bandCount {
                var e: Float = 0
                let w = bandWeights[m], s = bandStart[m]
                for j in 0..<w.count { e += w[j] * power[s + j] }
                output[m * stride + t] = Float(ToneMath.log(Double(e + Self.floor)))
            }
        }
        return frames
    }

    /// Windowed FFT power spectrum of one frame into `power`.
    private mutating func frame(_ samples: UnsafeBufferPointer<Int16>, start: Int) {
        let n = Self.fftSize
        real.withUnsafeMutableBufferPointer { re in
            imag.withUnsafeMutableBufferPointer { im in
                for i in 0..<n { re[i] = 0; im[i] = 0 }
                for i in 0..<Self.frameLength {
                    re[bitReversed[i]] = Float(samples[start + i]) / 32768 * window[i]
                }
                var size = 2
                while size <= n {
                    let half = size / 2, step = n / size
                    var base = 0
                    while base < n {
                        for j in 0..<half {
                            let wr = cosTable[j * step], wi = sinTable[j * step]
                            let a = base + j, b = a + half
                            let tr = re[b] * wr - im[b] * wi
                            let ti = re[b] * wi + im[b] * wr
                            re[b] = re[a] - tr; im[b] = im[a] - ti
                            re[a] += tr; im[a] += ti
                        }
                        base += size
                    }
                    size *= 2
                }
                power.withUnsafeMutableBufferPointer { p in
                    for k in 0...(n / 2) { p[k] = re[k] * re[k] + im[k] * im[k] }
                }
            }
        }
    }
}
