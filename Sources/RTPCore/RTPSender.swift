/// The outbound state of one RTP stream: SSRC, next sequence number and next timestamp.
///
/// The media clock keeps running through silence (RFC 3551 section 4.1): the timestamp
/// advances with `skip(samples:)` while nothing is sent, and the first packet after silence
/// or of a new prompt carries the marker bit so the receiver can re-adapt its playout delay.
/// Initial SSRC, sequence and timestamp are random (RFC 3550 section 5.1) to make
/// known-plaintext attacks and stream confusion harder; tests pass a seeded generator.
public struct RTPSender: Sendable {
    /// The synchronisation source identifier of this stream.
    public let ssrc: UInt32
    /// The payload type of media packets.
    public var payloadType: UInt8
    /// The codec clock rate in Hz (8000 for G.711, 48000 for Opus).
    public let clockRate: Int
    /// The sequence number the next packet will carry.
    public private(set) var nextSequenceNumber: UInt16
    /// The media timestamp of the next media packet.
    public private(set) var nextTimestamp: UInt32
    /// Whether the next media packet starts a talkspurt (and so carries the marker bit).
    public private(set) var startsTalkspurt = true
    /// Packets produced so far (for the RTCP sender report; wraps like the RTCP field).
    public private(set) var packetCount: UInt32 = 0
    /// Payload octets produced so far (for the RTCP sender report; wraps like the RTCP field).
    public private(set) var octetCount: UInt32 = 0

    /// A stream with explicit initial values (tests, or resuming a stream).
    public init(payloadType: UInt8, clockRate: Int, ssrc: UInt32, initialSequenceNumber: UInt16,
                initialTimestamp: UInt32) {
        precondition(clockRate > 0, "a codec clock rate is positive")
        self.payloadType = payloadType & 0x7F
        self.clockRate = clockRate
        self.ssrc = ssrc
        self.nextSequenceNumber = initialSequenceNumber
        self.nextTimestamp = initialTimestamp
    }

    /// A stream with random SSRC, initial sequence number and timestamp drawn from `generator`.
    public init(payloadType: UInt8, clockRate: Int, using generator: inout some RandomNumberGenerator) {
        self.init(payloadType: payloadType, clockRate: clockRate,
                  ssrc: UInt32.random(in: .min ... .max, using: &generator),
                  initialSequenceNumber: UInt16.random(in: .min ... .max, using: &generator),
                  initialTimestamp: UInt32.random(in: .min ... .max, using: &generator))
    }

    /// A stream with random initial values from the system generator.
    public init(payloadType: UInt8, clockRate: Int) {
        var generator = SystemRandomNumberGenerator()
        self.init(payloadType: payloadType, clockRate: clockRate, using: &generator)
    }

    /// Timestamp units in `milliseconds` of media at `clockRate` (160 for 20 ms at 8000 Hz,
    /// 960 at 48000 Hz).
    public static func samples(milliseconds: Int, clockRate: Int) -> Int {
        milliseconds * clockRate / 1000
    }

    /// The next media packet carrying `payload` of `samples` clock units. The marker is set
    /// when `marker` is true or the packet starts a talkspurt; the sequence number and the
    /// timestamp then advance, wrapping at 2^16 and 2^32.
    public mutating func next(payload: [UInt8], samples: Int, marker: Bool = false) -> RTPPacket {
        let packet = RTPPacket(payloadType: payloadType, marker: marker || startsTalkspurt,
                               sequenceNumber: nextSequenceNumber, timestamp: nextTimestamp,
                               ssrc: ssrc, payload: payload)
        count(packet)
        startsTalkspurt = false
        nextTimestamp &+= UInt32(truncatingIfNeeded: samples)
        return packet
    }

    /// A packet with its own payload type and timestamp in this stream's sequence (RFC 4733
    /// events share the SSRC and sequence space but keep the event's start timestamp). The
    /// media timestamp is not advanced; the caller keeps it running with `skip(samples:)`.
    public mutating func packet(payloadType: UInt8, payload: [UInt8], timestamp: UInt32,
                                marker: Bool) -> RTPPacket {
        let packet = RTPPacket(payloadType: payloadType, marker: marker, sequenceNumber: nextSequenceNumber,
                               timestamp: timestamp, ssrc: ssrc, payload: payload)
        count(packet)
        return packet
    }

    /// Lets `samples` clock units pass without sending media (silence, or time covered by an
    /// RFC 4733 event); the next media packet starts a talkspurt.
    public mutating func skip(samples: Int) {
        nextTimestamp &+= UInt32(truncatingIfNeeded: samples)
        startsTalkspurt = true
    }

    /// Marks the next media packet as the start of a talkspurt (e.g. a new prompt starts).
    public mutating func beginTalkspurt() {
        startsTalkspurt = true
    }

    private mutating func count(_ packet: RTPPacket) {
        nextSequenceNumber &+= 1
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: packet.payload.count)
    }
}
