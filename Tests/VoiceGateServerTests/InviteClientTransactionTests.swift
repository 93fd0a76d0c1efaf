import SIPCore
import Testing

/// The INVITE client transaction (RFC 3261 17.1.1, RFC 6026): retransmission timers, the ACK
/// of error responses, and 2xx handed to the TU.
@Suite struct InviteClientTransactionTests {
    static let invite: SIPMessage = {
        let text = "INVITE sip:agents@10.0.0.50:5080 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:+1555@127.0.0.1>;tag=ours\r\nTo: <sip:agents@10.0.0.50:5080>\r\n"
            + "Call-ID: leg-1\r\nCSeq: 7 INVITE\r\nRoute: <sip:proxy@10.0.0.1;lr>\r\nContent-Length: 0\r\n\r\n"
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }()

    static func response(_ status: Int) -> SIPMessage {
        SIPResponseBuilder.response(to: invite, status: status, toTag: status > 100 ? "theirs" : nil)
    }

    static func sent(_ actions: [InviteClientTransaction.Action]) -> [SIPMessage] {
        actions.compactMap { if case .send(let m) = $0 { return m } else { return nil } }
    }

    static func delivered(_ actions: [InviteClientTransaction.Action]) -> [Int] {
        actions.compactMap { if case .deliver(let m) = $0 { return m.status } else { return nil } }
    }

    @Test func timerADoublesWithoutCapUntilTimerB() {
        var t = InviteClientTransaction(invite: Self.invite, reliability: .unreliable)
        let start = t.handle(.start)
        #expect(Self.sent(start) == [Self.invite])
        #expect(start.contains { if case .startTimer(.a, 500) = $0 { return true } else { return false } })
        #expect(start.contains { if case .startTimer(.b, 32_000) = $0 { return true } else { return false } })
        var intervals: [Int64] = []
        for _ in 0..<6 {
            let actions = t.handle(.timerFired(.a))
            #expect(Self.sent(actions) == [Self.invite])
            for case .startTimer(.a, let ms) in actions { intervals.append(ms) }
        }
        #expect(intervals == [1000, 2000, 4000, 8000, 16000, 32000])
        let end = t.handle(.timerFired(.b))
        #expect(end.contains { if case .timedOut = $0 { return true } else { return false } })
        #expect(t.state == .terminated)
    }

    @Test func reliableTransportsDoNotRetransmit() {
        var t = InviteClientTransaction(invite: Self.invite, reliability: .reliable)
        #expect(!t.handle(.start).contains { if case .startTimer(.a, _) = $0 { return true } else { return false } })
    }

    @Test func errorResponseIsAckedInTheTransactionAndAgainOnRetransmission() {
        var t = InviteClientTransaction(invite: Self.invite, reliability: .unreliable)
        _ = t.handle(.start)
        #expect(Self.delivered(t.handle(.received(Self.response(180)))) == [180])
        #expect(t.state == .proceeding)
        let busy = t.handle(.received(Self.response(486)))
        #expect(Self.delivered(busy) == [486])
        let ack = Self.sent(busy)
        #expect(ack.count == 1)
        #expect(ack.first?.method == .ack)
        #expect(ack.first?.topVia?.branch == "z9hG4bKabc")
        #expect(ack.first?.to?.tag == "theirs")
        #expect(ack.first?.cSeq?.sequence == 7 && ack.first?.cSeq?.method == .ack)
        #expect(ack.first?.headers["Route"] == "<sip:proxy@10.0.0.1;lr>")
        #expect(ack.first?.requestLine?.uri == Self.invite.requestLine?.uri)
        let again = t.handle(.received(Self.response(486)))
        #expect(Self.sent(again) == ack && Self.delivered(again).isEmpty)
        _ = t.handle(.timerFired(.d))
        #expect(t.state == .terminated)
    }

    @Test func everySuccessGoesToTheTUUntilTimerM() {
        var t = InviteClientTransaction(invite: Self.invite, reliability: .unreliable)
        _ = t.handle(.start)
        let ok = t.handle(.received(Self.response(200)))
        #expect(Self.delivered(ok) == [200] && Self.sent(ok).isEmpty)
        #expect(ok.contains { if case .cancelTimer(.a) = $0 { return true } else { return false } })
        #expect(Self.delivered(t.handle(.received(Self.response(200)))) == [200])
        #expect(t.handle(.timerFired(.a)).isEmpty)  // a late timer
        _ = t.handle(.timerFired(.m))
        #expect(t.state == .terminated)
    }
}
