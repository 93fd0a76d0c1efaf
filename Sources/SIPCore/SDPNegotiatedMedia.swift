/// What one offer/answer exchange settled for the audio stream: where to send, with what, and which way.
public struct NegotiatedMedia: Sendable, Hashable {
    /// Index of the audio `m=` section in the offer and answer.
    public var mediaIndex: Int
    /// Address the remote receives RTP on (may be the hold address `0.0.0.0`).
    public var remoteAddress: String
    /// Family of `remoteAddress`.
    public var remoteAddressType: SDPAddressType
    /// Remote RTP port.
    public var remoteRTPPort: Int
    /// Remote RTCP address: the `a=rtcp` address if given, else `remoteAddress`.
    public var remoteRTCPAddress: String
    /// Remote RTCP port: `a=rtcp` if given, else RTP port + 1 (RFC 3550 11).
    public var remoteRTCPPort: Int
    /// The one codec both sides use.
    public var codec: NegotiatedCodec
    /// RFC 4733 telephone-event payload type at the codec's clock rate, if both sides have it.
    public var telephoneEventPayloadType: UInt8?
    /// Packet time we send with, in ms: the remote's `a=ptime` (capped by its `a=maxptime`), else 20.
    public var ptime: Int
    /// Direction from OUR side: `.sendonly` means we send but the remote does not, `.recvonly`
    /// means we must not send (the remote put us on hold), `.inactive` neither.
    public var direction: SDPDirection

    /// Creates a result.
    public init(mediaIndex: Int, remoteAddress: String, remoteAddressType: SDPAddressType, remoteRTPPort: Int,
                remoteRTCPAddress: String, remoteRTCPPort: Int, codec: NegotiatedCodec,
                telephoneEventPayloadType: UInt8?, ptime: Int, direction: SDPDirection) {
        self.mediaIndex = mediaIndex
        self.remoteAddress = remoteAddress
        self.remoteAddressType = remoteAddressType
        self.remoteRTPPort = remoteRTPPort
        self.remoteRTCPAddress = remoteRTCPAddress
        self.remoteRTCPPort = remoteRTCPPort
        self.codec = codec
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.ptime = ptime
        self.direction = direction
    }

    /// True when the remote holds the call (we must not send): any direction but sendrecv/sendonly.
    public var isOnHold: Bool { !direction.sends }
}

/// The codec a negotiation chose.
public struct NegotiatedCodec: Sendable, Hashable {
    /// Encoding name as we configured it (`PCMU`, `PCMA`, `opus`).
    public var name: String
    /// Payload type on the wire both ways (the offerer's number, mirrored in the answer).
    public var payloadType: UInt8
    /// RTP clock rate in Hz.
    public var clockRate: Int
    /// Channels as written in rtpmap.
    public var channels: Int
    /// The remote's fmtp for this payload type: what it wants to receive, so what our encoder honours.
    public var remoteParameters: SDPFormatParameters?
    /// Our fmtp for it: what we asked to receive.
    public var localParameters: SDPFormatParameters?

    /// Creates a codec result.
    public init(name: String, payloadType: UInt8, clockRate: Int, channels: Int,
                remoteParameters: SDPFormatParameters?, localParameters: SDPFormatParameters?) {
        self.name = name
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.channels = channels
        self.remoteParameters = remoteParameters
        self.localParameters = localParameters
    }

    /// For Opus, the settings our encoder must use (the remote's receive preferences); nil otherwise.
    public var opusSendParameters: SDPOpusParameters? {
        name.sdpEqualsIgnoringCase("opus") ? SDPOpusParameters(remoteParameters) : nil
    }
}

/// The answer to send (in the 200 OK, or the ACK/PRACK) and the media it settles.
public struct SDPAnswerResult: Sendable, Hashable {
    /// Our answer, with `o=` version already stepped if it differs from our previous description.
    public var answer: SessionDescription
    /// The audio stream as negotiated.
    public var media: NegotiatedMedia

    /// Creates a result.
    public init(answer: SessionDescription, media: NegotiatedMedia) {
        self.answer = answer
        self.media = media
    }

    /// The answer body as text (CRLF), ready for `Content-Type: application/sdp`.
    public var body: String { answer.serialized }
}
