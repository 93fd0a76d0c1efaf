import Testing
import VoiceGateTestSupport
@testable import RTPCore

@Suite struct RTCPTests {
    @Test func compoundSenderReportRoundTrip() throws {
        let block = RTCPReportBlock(ssrc: 0xAABB_CCDD, fractionLost: 25, cumulativeLost: -3,
                                    extendedHighestSequence: 0x0001_0005, jitter: 77,
                                    lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)
        let sr = RTCPSenderReport(ssrc: 1, ntpTimestamp: NTPTime.timestamp(unixMs: 1_700_000_000_500),
                                  rtpTimestamp: 160, packetCount: 50, octetCount: 8000)
        let packets = RTCPCompound.report(senderReport: sr, receiverSSRC: 1, reports: [block],
                                          cname: "voicegate@example")
        let bytes = RTCPCompound.serialize(packets)
        #expect(bytes.count % 4 == 0)
        #expect(RTCPPacket.isRTCP(bytes))
        #expect(!RTCPPacket.isRTCP(RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: []).bytes))
        let parsed = try RTCPCompound.parse(bytes)
        #expect(parsed == packets)
        if case .senderReport(let back)? = parsed.first {
            #expect(back.reports.first?.cumulativeLost == -3)
            #expect(back.ntpTimestamp >> 32 == 1_700_000_000 + NTPTime.unixEpochOffset)
        } else {
            Issue.record("first packet is not an SR")
        }
    }

    @Test func receiverReportWithSDESAndByeRoundTrip() throws {
        for name in ["", "a", "ab", "abc", "abcd", "caller@198.51.100.7"] {
            var packets = RTCPCompound.report(senderReport: nil, receiverSSRC: 9, reports: [], cname: name)
            packets.append(.bye(ssrcs: [9], reason: "hangup"))
            let parsed = try RTCPCompound.parse(RTCPCompound.serialize(packets))
            #expect(parsed == packets, "cname \(name)")
        }
    }

    @Test func malformedCompoundPacketsAreErrors() {
        let good = RTCPCompound.serialize(RTCPCompound.report(senderReport: nil, receiverSSRC: 9, reports: [], cname: "x"))
        #expect(throws: RTCPParseError.tooShort) { try RTCPCompound.parse([]) }
        var badVersion = good; badVersion[0] = 0x40
        #expect(throws: RTCPParseError.unsupportedVersion(1)) { try RTCPCompound.parse(badVersion) }
        var longLength = good; longLength[3] = 200
        #expect(throws: RTCPParseError.lengthBeyondDatagram) { try RTCPCompound.parse(longLength) }
        let sdesOnly = Array(good.dropFirst(8))
        #expect(throws: RTCPParseError.notStartingWithReport) { try RTCPCompound.parse(sdesOnly) }
        #expect((try? RTCPCompound.parse(sdesOnly, requireReportFirst: false))?.count == 1)
        var rrClaimsBlock = good; rrClaimsBlock[0] |= 1  // RC=1 but no block follows
        #expect(throws: RTCPParseError.tooShort) { try RTCPCompound.parse(rrClaimsBlock) }
        for length in 0..<good.count { _ = try? RTCPCompound.parse(Array(good.prefix(length))) }
    }

    @Test func receptionStatisticsCountLossWrapAndJitter() {
        var clock = ManualClock()
        var stats = ReceptionStatistics(ssrc: 5, clockRate: 8000)
        var sent = 0
        // 100 packets from 65500 across the wrap; 5 lost; one duplicate; arrival jitter 0/10 ms.
        for i in 0..<100 {
            let seq = UInt16(truncatingIfNeeded: 65500 + i)
            let ts = UInt32(truncatingIfNeeded: 4_294_960_000 + i * 160)
            sent += 1
            if [10, 20, 40, 60, 80].contains(i) { clock.advance(byMs: 20); continue }
            stats.record(sequenceNumber: seq, timestamp: ts, arrivalMs: clock.nowMs + (i % 2 == 0 ? 0 : 10))
            if i == 50 { stats.record(sequenceNumber: seq, timestamp: ts, arrivalMs: clock.nowMs + 12) }
            clock.advance(byMs: 20)
        }
        #expect(stats.extendedHighestSequence == 65536 + UInt32((65500 + 99) - 65536))
        #expect(stats.expected == 100)
        #expect(stats.cumulativeLost == 4)  // 5 lost, 1 duplicate counted as received (A.3)
        let jitterMs = Double(stats.jitter) / 8
        #expect(jitterMs > 5 && jitterMs < 11, "jitter \(jitterMs) ms")
        let sr = RTCPSenderReport(ssrc: 5, ntpTimestamp: NTPTime.timestamp(unixMs: 1_000_000), rtpTimestamp: 0,
                                  packetCount: 100, octetCount: 16000)
        stats.recordSenderReport(ntpTimestamp: sr.ntpTimestamp, arrivalMs: clock.nowMs)
        clock.advance(byMs: 250)
        let block = stats.makeReportBlock(nowMs: clock.nowMs)
        #expect(block.fractionLost == UInt8(4 * 256 / 100))
        #expect(block.lastSenderReport == NTPTime.middle32(sr.ntpTimestamp))
        #expect(block.delaySinceLastSenderReport == 250 * 65536 / 1000)
        // The sender's RTT: the report reaches it 40 ms of network later (20 each way).
        let rtt = block.roundTripMs(arrivalNTP: NTPTime.timestamp(unixMs: 1_000_000 + 20 + 250 + 20))
        #expect(rtt.map { abs($0 - 40) < 1 } == true)
        // A second interval with no loss reports fraction 0.
        let second = stats.makeReportBlock(nowMs: clock.nowMs)
        #expect(second.fractionLost == 0)
    }

    @Test func probationRejectsAStrayPacket() {
        var stats = ReceptionStatistics(ssrc: 1, clockRate: 8000)
        let first = stats.record(sequenceNumber: 100, timestamp: 0, arrivalMs: 0)
        let stray = stats.record(sequenceNumber: 5000, timestamp: 0, arrivalMs: 20)
        let confirmed = stats.record(sequenceNumber: 5001, timestamp: 160, arrivalMs: 40)
        #expect(!first && !stray && confirmed)
        #expect(stats.received == 2 && stats.expected == 2)
    }
}
