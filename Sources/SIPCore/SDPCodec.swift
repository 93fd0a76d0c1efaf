/// A codec the gateway is willing to use, as it appears in SDP, in the configured preference list.
public struct SDPCodec: Sendable, Hashable {
    /// Encoding name, e.g. `PCMU`, `opus` (matched case-insensitively).
    public var name: String
    /// RTP clock rate in Hz (48000 for Opus whatever its audio bandwidth, RFC 7587 4.1).
    public var clockRate: Int
    /// Channels as written in rtpmap (Opus is always `/2` in SDP, RFC 7587 7).
    public var channels: Int
    /// Payload type used in our own offers: the static one for G.711, a dynamic one otherwise.
    /// Answers mirror the offerer's number instead.
    public var payloadType: UInt8
    /// Our `a=fmtp` for this codec: what we want to receive. Nil writes no fmtp line.
    public var formatParameters: SDPFormatParameters?

    /// Creates a codec entry.
    public init(name: String, clockRate: Int, channels: Int = 1, payloadType: UInt8,
                formatParameters: SDPFormatParameters? = nil) {
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.payloadType = payloadType
        self.formatParameters = formatParameters
    }

    /// G.711 μ-law, static payload type 0.
    public static let pcmu = SDPCodec(name: "PCMU", clockRate: 8000, payloadType: 0)
    /// G.711 A-law, static payload type 8.
    public static let pcma = SDPCodec(name: "PCMA", clockRate: 8000, payloadType: 8)
    /// Opus as RFC 7587 writes it (`opus/48000/2`), dynamic payload type 111 in our offers.
    /// Our fmtp asks for mono wideband with in-band FEC: a telephone IVR gains nothing from more,
    /// and FEC lets the decoder recover single losses.
    public static let opus = SDPCodec(
        name: "opus", clockRate: 48000, channels: 2, payloadType: 111,
        formatParameters: SDPFormatParameters([
            "maxplaybackrate": "16000", "sprop-maxcapturerate": "16000", "stereo": "0", "sprop-stereo": "0",
            "useinbandfec": "1",
        ]))

    /// RFC 4733 telephone-event at a clock rate; payload type 101 at 8 kHz and 110 at 48 kHz in our offers.
    public static func telephoneEvent(clockRate: Int) -> SDPCodec {
        SDPCodec(name: "telephone-event", clockRate: clockRate, payloadType: clockRate == 8000 ? 101 : 110,
                 formatParameters: SDPFormatParameters(raw: "0-16"))
    }

    /// True for telephone-event entries.
    public var isTelephoneEvent: Bool { name.sdpEqualsIgnoringCase("telephone-event") }

    /// True when an rtpmap (explicit or static) describes this codec.
    /// Opus ignores the channel count: some stacks write `opus/48000` although RFC 7587 requires `/2`.
    public func matches(_ map: SDPRTPMap) -> Bool {
        if name.sdpEqualsIgnoringCase("opus") {
            return map.encodingName.sdpEqualsIgnoringCase(name) && map.clockRate == clockRate
        }
        return map.matches(name: name, clockRate: clockRate, channels: channels)
    }

    /// The rtpmap we write for it under a given payload type.
    func rtpMap(payloadType: UInt8) -> SDPRTPMap {
        SDPRTPMap(payloadType: payloadType, encodingName: name, clockRate: clockRate, channels: channels)
    }
}

/// Opus parameters from an `a=fmtp` (RFC 7587 6.1), with the RFC's defaults when absent.
///
/// The remote's fmtp says what it wants to RECEIVE, so these are the settings for our encoder:
/// FEC on when `useinbandfec=1`, audio bandwidth at most `maxplaybackrate`, mono unless `stereo=1`,
/// bitrate at most `maxaveragebitrate`, constant bitrate when `cbr=1`, DTX when `usedtx=1`.
public struct SDPOpusParameters: Sendable, Hashable {
    /// Highest sample rate the receiver can play (default 48000).
    public var maxPlaybackRate: Int
    /// Highest rate the sender captures at (informative), if given.
    public var spropMaxCaptureRate: Int?
    /// Highest average bitrate the receiver wants, bits per second, if given.
    public var maxAverageBitrate: Int?
    /// The receiver prefers stereo (default false).
    public var stereo: Bool
    /// The sender is likely to send stereo (default false).
    public var spropStereo: Bool
    /// The receiver wants constant bitrate (default false).
    public var cbr: Bool
    /// The receiver can use in-band FEC (default false).
    public var useInbandFEC: Bool
    /// The receiver wants discontinuous transmission (default false).
    public var useDTX: Bool

    /// Reads an fmtp; absent parameters take the RFC 7587 defaults.
    public init(_ parameters: SDPFormatParameters?) {
        func flag(_ name: String) -> Bool { parameters?[name] == "1" }
        func number(_ name: String) -> Int? { parameters?[name].flatMap { Int($0) } }
        maxPlaybackRate = number("maxplaybackrate") ?? 48000
        spropMaxCaptureRate = number("sprop-maxcapturerate")
        maxAverageBitrate = number("maxaveragebitrate")
        stereo = flag("stereo")
        spropStereo = flag("sprop-stereo")
        cbr = flag("cbr")
        useInbandFEC = flag("useinbandfec")
        useDTX = flag("usedtx")
    }
}
