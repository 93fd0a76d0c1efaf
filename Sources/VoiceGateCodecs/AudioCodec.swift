/// An RTP payload type number and whether it is fixed by RFC 3551 or negotiated in SDP.
public enum RTPPayloadType: Sendable, Hashable {
    /// A payload type fixed by the RTP/AVP profile (RFC 3551 table 4), e.g. 0 for PCMU, 8 for PCMA.
    case `static`(UInt8)
    /// A payload type from the dynamic range 96...127, bound to an encoding by an SDP `a=rtpmap`.
    case dynamic(UInt8)

    /// The 7-bit number carried in the RTP header.
    public var number: UInt8 {
        switch self {
        case .static(let n), .dynamic(let n): n
        }
    }

    /// Whether the SDP must carry an `a=rtpmap` line for this payload type to mean anything.
    public var isDynamic: Bool {
        if case .dynamic = self { return true }
        return false
    }
}

/// An audio codec as the per-call media loop uses it: one 20 ms frame at a time, into buffers the
/// caller owns, so a call in steady state allocates nothing per packet.
///
/// A codec value carries per-stream state (the decoder's history, the loss concealer), so each RTP
/// stream needs its own instance; methods are `mutating` so value-type codecs can keep that state
/// while class-based ones (which wrap C state) simply conform.
public protocol AudioCodec {
    /// The SDP encoding name (`a=rtpmap:<pt> <name>/<clock>[/<channels>]`), e.g. `PCMU`, `opus`.
    var name: String { get }
    /// The RTP payload type this instance sends and expects.
    var payloadType: RTPPayloadType { get }
    /// The RTP timestamp clock rate in Hz (8000 for G.711, always 48000 for Opus).
    var clockRate: Int { get }
    /// The SDP channel count (1 for G.711; 2 for Opus, which RFC 7587 always signals as stereo).
    var channels: Int { get }
    /// The sample rate of the linear PCM this codec consumes and produces (mono).
    var pcmSampleRate: Int { get }
    /// Samples in one 20 ms frame at `pcmSampleRate`: the size of the PCM buffers the media loop passes.
    var samplesPerFrame: Int { get }
    /// An upper bound on the bytes one encoded 20 ms frame can take: the size of the payload buffer to pass to `encode`.
    var maxPayloadBytes: Int { get }

    /// Encodes one frame of PCM at `pcmSampleRate` into `payload`.
    /// - Returns: the number of payload bytes written.
    /// - Throws: `CodecError` if a buffer is too small or the frame length is not one the codec can encode.
    mutating func encode(_ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableBufferPointer<UInt8>) throws(CodecError) -> Int

    /// Decodes one RTP payload into `pcm`.
    /// - Returns: the number of samples written (at `pcmSampleRate`).
    /// - Throws: `CodecError` if the payload is corrupt or `pcm` cannot hold the decoded audio.
    mutating func decode(_ payload: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int

    /// Synthesises audio for one missing frame (packet-loss concealment) so playout stays continuous;
    /// consecutive calls fade out rather than loop a buzz.
    /// - Returns: the number of samples written (one frame).
    /// - Throws: `CodecError` if `pcm` cannot hold a frame.
    mutating func concealLoss(into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int
}

extension AudioCodec {
    /// RTP timestamp units per 20 ms frame (160 for G.711, 960 for Opus): the timestamp step between packets.
    public var timestampIncrement: Int { clockRate / 50 }

    /// The SDP `a=rtpmap` value after the payload number, e.g. `PCMU/8000` or `opus/48000/2`.
    public var rtpmap: String {
        channels == 1 ? "\(name)/\(clockRate)" : "\(name)/\(clockRate)/\(channels)"
    }
}
