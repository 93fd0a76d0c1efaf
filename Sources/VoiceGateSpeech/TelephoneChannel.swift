import Foundation
import VoiceGateDSP

/// The telephone line that synthesised enrollment speech is sent through, so templates sound
/// like callers: 300 Hz high-pass (the synthesiser's resampler already cuts at 3.4 kHz), the
/// speech level of a call (RMS −22 dBFS), silence with a faint noise floor around it (the
/// endpointer's pre-roll), and a G.711 μ-law round trip. Deterministic.
enum TelephoneChannel {
    /// Seconds of line noise before and after the speech.
    static let padding = 0.3

    /// `clip` (8 kHz) as a caller's utterance would reach the spotter, and where the speech lies in it (samples).
    static func transmit(_ clip: [Int16], sampleRate: Int = 8000) -> (samples: [Int16], speech: Range<Int>) {
        var x = clip.map { Float($0) }
        // Fourth-order Butterworth high-pass at 300 Hz: two biquads (Q 0.5412 and 1.3066).
        for q in [0.541_196_1, 1.306_563] { highPass(&x, cutoff: 300, q: q, sampleRate: sampleRate) }
        let speech = activeRange(x, sampleRate: sampleRate)
        var sum: Double = 0
        for i in speech { sum += Double(x[i]) * Double(x[i]) }
        let rms = (sum / Double(max(1, speech.count))).squareRoot()
        let gain = rms > 0 ? Float(32768 * 0.0794 / rms) : 1  // −22 dBFS
        let pad = Int(padding * Double(sampleRate))
        var out = [Int16](repeating: 0, count: speech.count + 2 * pad)
        var seed: UInt32 = 0x2545_F491
        for k in 0..<out.count {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            let noise = (Float(seed >> 8) / Float(1 << 24) - 0.5) * 60  // about −60 dBFS
            let source = k - pad + speech.lowerBound
            let s = (k >= pad && k < pad + speech.count ? x[source] * gain : 0) + noise
            out[k] = G711.ulawDecode(G711.ulawEncode(Int16(max(-32768, min(32767, s.rounded())))))
        }
        return (out, pad..<(pad + speech.count))
    }

    /// The span from the first to the last 10 ms frame within 35 dB of the loudest.
    static func activeRange(_ x: [Float], sampleRate: Int) -> Range<Int> {
        let frame = sampleRate / 100
        let count = x.count / frame
        guard count > 0 else { return 0..<x.count }
        var energies = [Double](repeating: 0, count: count)
        for f in 0..<count {
            var e: Double = 0
            for i in (f * frame)..<((f + 1) * frame) { e += Double(x[i]) * Double(x[i]) }
            energies[f] = e / Double(frame) + 1e-3
        }
        let loudest = energies.max() ?? 1
        let floor = loudest * 3.16e-4
        let first = energies.firstIndex { $0 >= floor } ?? 0
        let last = energies.lastIndex { $0 >= floor } ?? (count - 1)
        return (first * frame)..<min(x.count, (last + 1) * frame)
    }

    /// RBJ biquad high-pass in place.
    private static func highPass(_ x: inout [Float], cutoff: Double, q: Double, sampleRate: Int) {
        let w = 2 * Double.pi * cutoff / Double(sampleRate)
        let alpha = sin(w) / (2 * q), c = cos(w)
        let a0 = 1 + alpha
        let b0 = Float((1 + c) / 2 / a0), b1 = Float(-(1 + c) / a0), b2 = b0
        let a1 = Float(-2 * c / a0), a2 = Float((1 - alpha) / a0)
        var x1: Float = 0, x2: Float = 0, y1: Float = 0, y2: Float = 0
        for i in 0..<x.count {
            let y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2 = x1; x1 = x[i]; y2 = y1; y1 = y
            x[i] = y
        }
    }
}
