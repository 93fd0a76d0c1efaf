import RTPCore
import Testing

/// `RTCPSession`: report timing (randomised 0.5–1.5× the mean, first one halved), what the
/// compound packets hold, the caller's reports about our stream, and the BYE.
@Suite struct RTCPSessionTests {
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func intervalsAreRandomisedAroundTheMean() {
        var random = Seeded(state: 1)
        var firsts: [Int64] = []
        for seed in 0..<50 {
            var r = Seeded(state: UInt64(seed))
            firsts.append(RTCPSession(cname: "vg", meanIntervalMs: 5000, localClockRate: 8000, startMs: 1000, using: &r).nextReportMs - 1000)
        }
        #expect(firsts.allSatisfy { (1250...3750).contains($0) }, "\(firsts)")
        #expect(Set(firsts).count > 10, "randomised")
        var session = RTCPSession(cname: "vg", meanIntervalMs: 5000, localClockRate: 8000, startMs: 0, using: &random)
        var gaps: [Int64] = []
        var now = session.nextReportMs
        for _ in 0..<100 {
            #expect(session.isDue(nowMs: now) && !session.isDue(nowMs: now - 1))
            _ = session.makeReport(nowMs: now, localSSRC: 1, sender: nil, using: &random)
            gaps.append(session.nextReportMs - now)
            now = session.nextReportMs
        }
        #expect(gaps.allSatisfy { (2500...7500).contains($0) })
        let mean = Double(gaps.reduce(0, +)) / Double(gaps.count)
        #expect(abs(mean - 5000) < 500, "mean \(mean)")
    }

    @Test func senderReportCarriesAReportBlockAboutTheCallerAndTheCNAME() throws {
        var random = Seeded(state: 2)
        var session = RTCPSession(cname: "voicegate@127.0.0.1", localClockRate: 48000, startMs: 0, using: &random)
        // The caller's stream: 50 packets, every 10th lost.
        for k in 0..<50 where k % 10 != 5 {
            session.rtpReceived(ssrc: 0xCAFE, sequenceNumber: UInt16(100 + k), timestamp: UInt32(k * 960), clockRate: 48000,
                                arrivalMs: Int64(k * 20))
        }
        let sender = RTCPSenderReport(ssrc: 0, ntpTimestamp: NTPTime.timestamp(unixMs: 1_700_000_000_000),
                                      rtpTimestamp: 4242, packetCount: 50, octetCount: 3000)
        let bytes = session.makeReport(nowMs: 1000, localSSRC: 0xBEEF, sender: sender, using: &random)
        let packets = try RTCPCompound.parse(bytes)
        guard case .senderReport(let sr) = packets.first else {
            Issue.record("first packet is not an SR: \(packets)")
            return
        }
        #expect(sr.ssrc == 0xBEEF && sr.packetCount == 50 && sr.rtpTimestamp == 4242)
        let block = try #require(sr.reports.first)
        #expect(block.ssrc == 0xCAFE)
        #expect(block.cumulativeLost == 5)
        #expect(block.extendedHighestSequence == 149)
        #expect(packets.contains(.sourceDescription([RTCPSourceName(ssrc: 0xBEEF, cname: "voicegate@127.0.0.1")])))

        // Before we send anything: RR.
        var quiet = RTCPSession(cname: "vg", localClockRate: 8000, startMs: 0, using: &random)
        let rr = try RTCPCompound.parse(quiet.makeReport(nowMs: 10, localSSRC: 7, sender: nil, using: &random))
        #expect(rr.first == .receiverReport(ssrc: 7, reports: []))
    }

    @Test func callerReportsAboutOurStreamAreTracked() throws {
        var random = Seeded(state: 3)
        var session = RTCPSession(cname: "vg", localClockRate: 8000, startMs: 0, using: &random)
        let about = RTCPReportBlock(ssrc: 0xBEEF, fractionLost: 64, cumulativeLost: 12, extendedHighestSequence: 500,
                                    jitter: 160, lastSenderReport: 0, delaySinceLastSenderReport: 0)
        let other = RTCPReportBlock(ssrc: 0x1234, fractionLost: 255, cumulativeLost: 99, extendedHighestSequence: 1,
                                    jitter: 1, lastSenderReport: 0, delaySinceLastSenderReport: 0)
        let rr = RTCPCompound.serialize(RTCPCompound.report(senderReport: nil, receiverSSRC: 0xCAFE, reports: [other, about], cname: "caller"))
        try session.rtcpReceived(rr, arrivalMs: 100, arrivalNTP: NTPTime.timestamp(unixMs: 0), localSSRC: 0xBEEF)
        let remote = try #require(session.remote)
        #expect(remote.fractionLost == 0.25)
        #expect(remote.cumulativeLost == 12)
        #expect(remote.jitterMs == 20)
        #expect(remote.roundTripMs == nil)
        #expect(session.packetsReceived == 1)
        #expect(throws: RTCPParseError.self) {
            try session.rtcpReceived([0x80, 200, 0, 9], arrivalMs: 0, arrivalNTP: 0, localSSRC: 1)
        }
    }

    @Test func goodbyeEndsWithBye() throws {
        var random = Seeded(state: 4)
        var session = RTCPSession(cname: "vg", localClockRate: 8000, startMs: 0, using: &random)
        let packets = try RTCPCompound.parse(session.makeGoodbye(nowMs: 5, localSSRC: 77, sender: nil, reason: "call ended"))
        #expect(packets.last == .bye(ssrcs: [77], reason: "call ended"))
        #expect(packets.first == .receiverReport(ssrc: 77, reports: []))
    }
}
