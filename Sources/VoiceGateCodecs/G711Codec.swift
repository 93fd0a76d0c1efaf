import VoiceGateDSP

/// G.711 at 8 kHz as an RTP codec: PCMU (μ-law, payload type 0) or PCMA (A-law, payload type 8).
///
/// One code byte per sample, so any frame length works (10, 20, 30 ms ptimes all encode). Loss
/// concealment repeats the last received frame with a gain falling linearly from 1 to 0 over 50 ms
/// (G.711 Appendix I also stops attenuating at silence after 60 ms), mixed with a low comfort noise
/// so a long gap sounds like an open line, not a dead one.
public struct G711Codec: AudioCodec, Sendable {
    /// Which companding law.
    public enum Law: Sendable, Hashable {
        /// μ-law, SDP name PCMU (North America, Japan).
        case ulaw
        /// A-law, SDP name PCMA (Europe, China, most of the world).
        case alaw
    }

    /// The companding law of this stream.
    public let law: Law
    public let payloadType: RTPPayloadType
    public var name: String { law == .ulaw ? "PCMU" : "PCMA" }
    public var clockRate: Int { 8000 }
    public var channels: Int { 1 }
    public var pcmSampleRate: Int { 8000 }
    public var samplesPerFrame: Int { 160 }
    /// One byte per sample; sized for the longest frame the concealer remembers (60 ms).
    public var maxPayloadBytes: Int { Self.historyCapacity }

    /// Peak amplitude of the comfort noise the concealment fades to (linear 16-bit units).
    public let comfortNoiseAmplitude: Int16

    /// The longest frame whose tail the concealer keeps: 60 ms at 8 kHz.
    static let historyCapacity = 480
    /// Samples over which the repeated frame fades from full level to nothing: 50 ms.
    static let fadeSamples = 400

    /// Last decoded frame (its first `historyCount` samples), preallocated once.
    private var history: [Int16]
    private var historyCount = 0
    /// Samples already concealed since the last good packet: where on the fade ramp we are.
    private var concealedSamples = 0
    /// State of the comfort noise generator (a 32-bit LCG: cheap, allocation-free, deterministic).
    private var noiseState: UInt32 = 0x1234_5678

    /// A codec for `law`, on the static payload type (0 or 8) unless the SDP negotiated another.
    /// - Parameter comfortNoiseAmplitude: peak of the noise concealment fades to (default 8, about −72 dBFS).
    public init(law: Law, payloadType: RTPPayloadType? = nil, comfortNoiseAmplitude: Int16 = 8) {
        self.law = law
        self.payloadType = payloadType ?? .static(law == .ulaw ? 0 : 8)
        self.comfortNoiseAmplitude = max(0, comfortNoiseAmplitude)
        self.history = [Int16](repeating: 0, count: Self.historyCapacity)
    }

    public mutating func encode(_ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableBufferPointer<UInt8>) throws(CodecError) -> Int {
        guard payload.count >= pcm.count else {
            throw .outputBufferTooSmall(needed: pcm.count, available: payload.count)
        }
        switch law {
        case .ulaw: G711.ulawEncode(pcm, into: payload)
        case .alaw: G711.alawEncode(pcm, into: payload)
        }
        return pcm.count
    }

    public mutating func decode(_ payload: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        guard pcm.count >= payload.count else {
            throw .outputBufferTooSmall(needed: payload.count, available: pcm.count)
        }
        switch law {
        case .ulaw: G711.ulawDecode(payload, into: pcm)
        case .alaw: G711.alawDecode(payload, into: pcm)
        }
        remember(UnsafeBufferPointer(rebasing: pcm[0..<payload.count]))
        return payload.count
    }

    public mutating func concealLoss(into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        let frame = historyCount > 0 ? historyCount : samplesPerFrame
        guard pcm.count >= frame else {
            throw .outputBufferTooSmall(needed: frame, available: pcm.count)
        }
        let noise = Int32(comfortNoiseAmplitude)
        let fade = Self.fadeSamples
        var done = concealedSamples
        var rng = noiseState
        let count = historyCount
        history.withUnsafeBufferPointer { last in
            for i in 0..<frame {
                var value: Int32 = 0
                if done < fade && count > 0 {
                    // Gain in Q15 falling linearly from 1 to 0 across `fade` samples.
                    let gain = Int32((fade - done) * 32768 / fade)
                    value = (Int32(last[i]) * gain) >> 15
                }
                if noise > 0 {
                    rng = rng &* 1_664_525 &+ 1_013_904_223
                    value += Int32(rng >> 16) % (2 * noise + 1) - noise  // uniform in -noise...noise
                }
                pcm[i] = Int16(clamping: value)
                done += 1
            }
        }
        noiseState = rng
        concealedSamples = done
        return frame
    }

    /// Keeps the tail of a decoded frame for concealment and marks the stream as receiving again.
    private mutating func remember(_ frame: UnsafeBufferPointer<Int16>) {
        let n = min(frame.count, Self.historyCapacity)
        guard n > 0 else { return }
        let start = frame.count - n
        history.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n { dst[i] = frame[start + i] }
        }
        historyCount = n
        concealedSamples = 0
    }
}
