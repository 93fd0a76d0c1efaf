import COpus

/// Opus (RFC 6716) as an RTP codec (RFC 7587): `opus/48000/2` in SDP, RTP clock always 48 kHz,
/// encoding and decoding mono PCM at 8, 12, 16, 24 or 48 kHz.
///
/// Wraps one libopus encoder and one decoder. Not `Sendable`: libopus state is plain mutable C
/// memory with no locking, and each RTP stream owns its codec, so the compiler should stop an
/// instance from being shared between tasks (pass it with `sending` to move it into a call's task).
public final class OpusCodec: AudioCodec {
    public let payloadType: RTPPayloadType
    public var name: String { "opus" }
    public var clockRate: Int { 48000 }
    /// RFC 7587 section 7: the rtpmap always says 2 channels; the stream itself may be mono.
    public var channels: Int { 2 }
    public let pcmSampleRate: Int
    public var samplesPerFrame: Int { pcmSampleRate / 50 }
    /// The largest one-frame Opus packet (RFC 6716 section 3.2.1).
    public var maxPayloadBytes: Int { 1275 }

    /// PCM sample rates libopus encodes and decodes natively.
    public static let supportedSampleRates: Set<Int> = [8000, 12000, 16000, 24000, 48000]

    private let encoder: OpaquePointer
    private let decoder: OpaquePointer
    /// Samples of the last decoded packet: the duration concealment and FEC assume a lost frame had.
    private var lastFrameSamples: Int

    /// An Opus codec producing and consuming mono PCM at `pcmSampleRate`.
    /// - Parameters:
    ///   - pcmSampleRate: 8000, 12000, 16000, 24000 or 48000.
    ///   - payloadType: the dynamic payload type negotiated in SDP (96...127; 111 is customary).
    ///   - bitrate: target bits per second (500...512000); 24 kb/s is wideband speech.
    ///   - complexity: 0 (fastest) ... 10 (best); 5 keeps a thousand calls affordable.
    ///   - inbandFEC: embed a low-rate copy of each frame in the next, so `decodeFEC` can recover a loss.
    ///   - expectedLossPercent: tells the encoder how much redundancy FEC is worth (0...100).
    /// - Throws: `CodecError.invalidSetting` for an unsupported rate or payload type, `.opus` if libopus refuses.
    public init(pcmSampleRate: Int = 48000, payloadType: UInt8 = 111, bitrate: Int = 24000,
                complexity: Int = 5, inbandFEC: Bool = true, expectedLossPercent: Int = 10) throws(CodecError) {
        guard Self.supportedSampleRates.contains(pcmSampleRate) else {
            throw .invalidSetting("Opus PCM sample rate \(pcmSampleRate) Hz (use 8000, 12000, 16000, 24000 or 48000)")
        }
        guard (96...127).contains(payloadType) else {
            throw .invalidSetting("Opus payload type \(payloadType) (dynamic range is 96...127)")
        }
        var status: Int32 = 0
        guard let enc = opus_encoder_create(Int32(pcmSampleRate), 1, OPUS_APPLICATION_VOIP, &status) else {
            throw .opus(OpusStatus(code: status), operation: "encoder_create")
        }
        guard status == OPUS_OK, let dec = opus_decoder_create(Int32(pcmSampleRate), 1, &status) else {
            opus_encoder_destroy(enc)
            throw .opus(OpusStatus(code: status), operation: "decoder_create")
        }
        guard status == OPUS_OK else {
            opus_encoder_destroy(enc)
            opus_decoder_destroy(dec)
            throw .opus(OpusStatus(code: status), operation: "decoder_create")
        }
        // Configure before the instance owns the pointers, so a failure here cannot leak them.
        do throws(CodecError) {
            try Self.check(vg_opus_encoder_set_signal_voice(enc), "set_signal")
            try Self.configure(enc, bitrate: bitrate, complexity: complexity)
            try Self.check(vg_opus_encoder_set_inband_fec(enc, inbandFEC ? 1 : 0), "set_inband_fec")
            try Self.check(vg_opus_encoder_set_packet_loss_perc(enc, Int32(clamping: expectedLossPercent)), "set_packet_loss_perc")
        } catch {
            opus_encoder_destroy(enc)
            opus_decoder_destroy(dec)
            throw error
        }
        self.encoder = enc
        self.decoder = dec
        self.pcmSampleRate = pcmSampleRate
        self.payloadType = .dynamic(payloadType)
        self.lastFrameSamples = pcmSampleRate / 50
    }

    deinit {
        opus_encoder_destroy(encoder)
        opus_decoder_destroy(decoder)
    }

    // MARK: Settings

    /// The encoder's current target bitrate in bits per second.
    public func bitrate() throws(CodecError) -> Int {
        var bps: Int32 = 0
        try Self.check(vg_opus_encoder_get_bitrate(encoder, &bps), "get_bitrate")
        return Int(bps)
    }

    /// Sets the target bitrate (500...512000 bits per second); takes effect from the next frame.
    public func setBitrate(_ bitsPerSecond: Int) throws(CodecError) {
        try Self.configure(encoder, bitrate: bitsPerSecond, complexity: nil)
    }

    /// Sets the encoder complexity (0...10): CPU per frame against quality.
    public func setComplexity(_ complexity: Int) throws(CodecError) {
        try Self.configure(encoder, bitrate: nil, complexity: complexity)
    }

    /// Tells the encoder the loss rate the far end reports (RTCP), so in-band FEC spends bits accordingly.
    public func setExpectedLossPercent(_ percent: Int) throws(CodecError) {
        guard (0...100).contains(percent) else { throw .invalidSetting("packet loss \(percent)% (0...100)") }
        try Self.check(vg_opus_encoder_set_packet_loss_perc(encoder, Int32(percent)), "set_packet_loss_perc")
    }

    // MARK: Coding

    public func encode(_ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableBufferPointer<UInt8>) throws(CodecError) -> Int {
        // Opus frames are 2.5, 5, 10, 20, 40 or 60 ms.
        let unit = pcmSampleRate / 400
        let units = pcm.count % unit == 0 ? pcm.count / unit : 0
        let legal: Bool
        switch units {
        case 1, 2, 4, 8, 16, 24: legal = true
        default: legal = false
        }
        guard let input = pcm.baseAddress, legal else {
            throw .unsupportedFrameLength(samples: pcm.count, sampleRate: pcmSampleRate)
        }
        guard let output = payload.baseAddress, payload.count > 0 else {
            throw .outputBufferTooSmall(needed: 1, available: payload.count)
        }
        let written = opus_encode(encoder, input, Int32(pcm.count), output, Int32(clamping: payload.count))
        return try Self.check(written, "encode")
    }

    public func decode(_ payload: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        // An empty payload would make libopus run concealment instead; on the wire it is simply invalid.
        guard let data = payload.baseAddress, payload.count > 0 else {
            throw .opus(.invalidPacket, operation: "decode")
        }
        let needed = try Self.check(
            opus_packet_get_nb_samples(data, Int32(clamping: payload.count), Int32(pcmSampleRate)), "packet_get_nb_samples")
        guard let out = pcm.baseAddress, pcm.count >= needed else {
            throw .outputBufferTooSmall(needed: needed, available: pcm.count)
        }
        let samples = try Self.check(
            opus_decode(decoder, data, Int32(clamping: payload.count), out, Int32(needed), 0), "decode")
        lastFrameSamples = samples
        return samples
    }

    /// Recovers a lost frame from the in-band FEC data carried in the packet that followed it.
    ///
    /// Call this with the next packet when exactly one packet is missing, then `decode` that same
    /// packet normally. If the packet carries no FEC, libopus falls back to concealment, so the
    /// result is always one frame of plausible audio. The lost frame is assumed to last as long as
    /// the last decoded one (20 ms before any packet arrived).
    /// - Returns: the number of samples written (one frame).
    public func decodeFEC(_ nextPayload: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        guard let data = nextPayload.baseAddress, nextPayload.count > 0 else {
            throw .opus(.invalidPacket, operation: "decode_fec")
        }
        let frame = lastFrameSamples
        guard let out = pcm.baseAddress, pcm.count >= frame else {
            throw .outputBufferTooSmall(needed: frame, available: pcm.count)
        }
        return try Self.check(opus_decode(decoder, data, Int32(clamping: nextPayload.count), out, Int32(frame), 1), "decode_fec")
    }

    /// Opus's own packet-loss concealment (decoding with no data): extrapolates pitch and spectrum,
    /// fading out over consecutive losses.
    public func concealLoss(into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        let frame = lastFrameSamples
        guard let out = pcm.baseAddress, pcm.count >= frame else {
            throw .outputBufferTooSmall(needed: frame, available: pcm.count)
        }
        return try Self.check(opus_decode(decoder, nil, 0, out, Int32(frame), 0), "decode_plc")
    }

    /// Forgets the decoder's history, e.g. after an RTP SSRC change (a new stream).
    public func resetDecoder() throws(CodecError) {
        try Self.check(vg_opus_decoder_reset(decoder), "reset")
        lastFrameSamples = samplesPerFrame
    }

    // MARK: Helpers

    /// The one place libopus return codes become errors: negative is an error, otherwise a count.
    @discardableResult
    private static func check(_ code: Int32, _ operation: String) throws(CodecError) -> Int {
        guard code >= 0 else { throw .opus(OpusStatus(code: code), operation: operation) }
        return Int(code)
    }

    private static func configure(_ enc: OpaquePointer, bitrate: Int?, complexity: Int?) throws(CodecError) {
        if let bitrate {
            guard (500...512_000).contains(bitrate) else { throw .invalidSetting("Opus bitrate \(bitrate) b/s (500...512000)") }
            try check(vg_opus_encoder_set_bitrate(enc, Int32(bitrate)), "set_bitrate")
        }
        if let complexity {
            guard (0...10).contains(complexity) else { throw .invalidSetting("Opus complexity \(complexity) (0...10)") }
            try check(vg_opus_encoder_set_complexity(enc, Int32(complexity)), "set_complexity")
        }
    }
}

/// Deliberately not Sendable: see the type's documentation.
@available(*, unavailable)
extension OpusCodec: Sendable {}
