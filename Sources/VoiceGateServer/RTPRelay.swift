public import RTPCore

/// One direction of a bridged call's RTP relay: packets from one leg re-sent on the other leg
/// as that leg's own stream — our SSRC, our sequence numbers and timestamps — with the payload
/// copied (both legs use the same codec, so nothing is transcoded) and the payload type mapped
/// to the other leg's number (telephone-event may be 101 on one side and 96 on the other).
///
/// Sequence numbers and timestamps are shifted by fixed offsets, not renumbered, so loss,
/// reordering and RFC 4733 events (several packets with one timestamp) look to the receiver
/// exactly as they did on the way in. When the source changes SSRC (a phone restarting its
/// stream, an agent transferred inside its PBX), the offsets are chosen again so our stream
/// continues with the next sequence number and a timestamp one packet later, marker set.
public struct RTPRelay: Sendable {
    /// The SSRC of our stream on the outgoing leg.
    public let ssrc: UInt32
    /// Incoming payload type → outgoing payload type; others are dropped.
    public let payloadTypes: [UInt8: UInt8]
    private var source: UInt32?
    private var sequenceOffset: UInt16 = 0
    private var timestampOffset: UInt32 = 0
    private var nextSequence: UInt16
    private var lastTimestamp: UInt32
    private var lastDuration: UInt32 = 160
    private var started = false
    /// Packets relayed so far.
    public private(set) var relayedCount = 0

    /// A relay direction writing stream `ssrc` starting at `initialSequence`/`initialTimestamp`.
    public init(ssrc: UInt32, initialSequence: UInt16, initialTimestamp: UInt32, payloadTypes: [UInt8: UInt8]) {
        self.ssrc = ssrc
        self.nextSequence = initialSequence
        self.lastTimestamp = initialTimestamp
        self.payloadTypes = payloadTypes
    }

    /// The packet to send on the other leg, or nil when its payload type is not relayed.
    public mutating func relay(_ packet: RTPPacket) -> RTPPacket? {
        guard let payloadType = payloadTypes[packet.payloadType] else { return nil }
        var marker = packet.marker
        if source != packet.ssrc {
            // First packet, or a new source: continue our stream where it stands.
            let timestamp = started ? lastTimestamp &+ lastDuration : lastTimestamp
            sequenceOffset = nextSequence &- packet.sequenceNumber
            timestampOffset = timestamp &- packet.timestamp
            source = packet.ssrc
            marker = true
        }
        let sequence = packet.sequenceNumber &+ sequenceOffset
        let timestamp = packet.timestamp &+ timestampOffset
        if Int16(bitPattern: sequence &- nextSequence) >= 0 {  // newest so far (not a late one)
            nextSequence = sequence &+ 1
            if started, timestamp != lastTimestamp, Int32(bitPattern: timestamp &- lastTimestamp) > 0 {
                lastDuration = min(timestamp &- lastTimestamp, 8000)
            }
            lastTimestamp = timestamp
        }
        started = true
        relayedCount += 1
        return RTPPacket(payloadType: payloadType, marker: marker, sequenceNumber: sequence, timestamp: timestamp,
                         ssrc: ssrc, payload: packet.payload)
    }
}
