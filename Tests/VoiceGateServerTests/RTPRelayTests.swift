import RTPCore
import Testing
import VoiceGateServer

/// The bridge's RTP relay: each leg gets its own stream (SSRC, sequence, timestamps) with the
/// payload copied and the payload type mapped.
@Suite struct RTPRelayTests {
    static func packet(_ seq: UInt16, _ ts: UInt32, pt: UInt8 = 0, ssrc: UInt32 = 0xAAAA, marker: Bool = false) -> RTPPacket {
        RTPPacket(payloadType: pt, marker: marker, sequenceNumber: seq, timestamp: ts, ssrc: ssrc, payload: [UInt8(seq & 0xFF), 1, 2])
    }

    /// The relayed packet (the test fails when the relay drops it).
    static func next(_ relay: inout RTPRelay, _ packet: RTPPacket) throws -> RTPPacket {
        let out = relay.relay(packet)
        return try #require(out)
    }

    @Test func packetsAreRestampedIntoOurStreamWithThePayloadCopied() throws {
        var relay = RTPRelay(ssrc: 0x1234, initialSequence: 500, initialTimestamp: 90_000, payloadTypes: [0: 0, 101: 96])
        let first = try Self.next(&relay, Self.packet(65535, 4_294_967_200))
        #expect(first.ssrc == 0x1234 && first.sequenceNumber == 500 && first.timestamp == 90_000 && first.marker)
        #expect(first.payload == [255, 1, 2])
        let second = try Self.next(&relay, Self.packet(0, 4_294_967_200 &+ 160))  // wraps on the way in
        #expect(second.sequenceNumber == 501 && second.timestamp == 90_160 && !second.marker)
        // A gap (loss) stays a gap; a late packet keeps its place.
        let fourth = try Self.next(&relay, Self.packet(2, 4_294_967_200 &+ 480))
        #expect(fourth.sequenceNumber == 503 && fourth.timestamp == 90_480)
        let late = try Self.next(&relay, Self.packet(1, 4_294_967_200 &+ 320))
        #expect(late.sequenceNumber == 502 && late.timestamp == 90_320)
        // RFC 4733 events: payload type mapped, their shared timestamp kept.
        let event = try Self.next(&relay, Self.packet(3, 4_294_967_200 &+ 640, pt: 101))
        #expect(event.payloadType == 96 && event.sequenceNumber == 504 && event.timestamp == 90_640)
        let unmapped = relay.relay(Self.packet(4, 0, pt: 13))
        #expect(unmapped == nil)  // not negotiated on the other leg  // not negotiated on the other leg
        #expect(relay.relayedCount == 5)
    }

    @Test func aNewSourceContinuesOurStream() throws {
        var relay = RTPRelay(ssrc: 7, initialSequence: 10, initialTimestamp: 1000, payloadTypes: [8: 8])
        _ = relay.relay(Self.packet(100, 5000, pt: 8))
        _ = relay.relay(Self.packet(101, 5160, pt: 8))
        let moved = try Self.next(&relay, Self.packet(9000, 777, pt: 8, ssrc: 0xBBBB))
        #expect(moved.ssrc == 7)
        #expect(moved.sequenceNumber == 12)
        #expect(moved.timestamp == 1320)  // one packet after the last
        #expect(moved.marker)
        let next = try Self.next(&relay, Self.packet(9001, 937, pt: 8, ssrc: 0xBBBB))
        #expect(next.sequenceNumber == 13 && next.timestamp == 1480 && !next.marker)
    }
}
