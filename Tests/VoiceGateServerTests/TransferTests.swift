import SIPCore
import Testing
import VoiceGateServer

/// Blind transfer by REFER through the pure state machine: the REFER's headers, and each
/// outcome (NOTIFY 2xx, REFER refused, NOTIFY non-2xx, no response, no final NOTIFY).
@Suite struct TransferTests {
    typealias Controller = CallController<String>
    typealias Base = CallControllerTests
    static let caller = Base.caller

    static func config() -> Controller.Configuration {
        .init(host: "127.0.0.1", port: 5060, rtpPorts: 20000...20009, agentQueueURI: "sip:agents@10.0.0.50:5080",
              transferTimeoutMs: 30_000)
    }

    /// An answered, confirmed call; returns our To-tag.
    static func confirmedCall(_ c: inout Controller) -> String {
        let tag = Base.answeredCall(&c)
        _ = c.handle(.received(Base.request("ACK", branch: "z9hG4bKack1", toTag: tag), from: caller))
        return tag
    }

    /// Starts the transfer and returns the REFER sent.
    static func refer(_ c: inout Controller, key: String = "call-1") throws -> SIPMessage {
        let actions = c.handle(.transfer(callID: "call-1", contextKey: key))
        return try #require(Base.sent(actions).first { $0.method == .refer })
    }

    /// The caller's response to our request, echoing its CSeq.
    static func response(to request: SIPMessage, status: Int) -> SIPMessage {
        var r = SIPResponseBuilder.response(to: request, status: status)
        r.headers.replace(name: "CSeq", value: request.headers["CSeq"] ?? "")
        return r
    }

    /// A NOTIFY of the refer subscription from the caller with a sipfrag body.
    static func notify(tag: String, cseq: Int, sipfrag: String, branch: String) -> SIPMessage {
        let text = "NOTIFY sip:voicegate@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.9:5070;branch=\(branch)\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:+15550001@10.0.0.9>;tag=caller1\r\n"
            + "To: <sip:ivr@127.0.0.1>;tag=\(tag)\r\n"
            + "Call-ID: call-1\r\n"
            + "CSeq: \(cseq) NOTIFY\r\n"
            + "Event: refer\r\n"
            + "Subscription-State: \(sipfrag.contains(" 1") ? "active;expires=60" : "terminated;reason=noresource")\r\n"
            + "Content-Type: message/sipfrag;version=2.0\r\n"
            + "Content-Length: \(sipfrag.utf8.count)\r\n\r\n" + sipfrag
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    static func ended(_ actions: [Controller.Action]) -> String? {
        actions.lazy.compactMap { if case .callEnded(_, let reason) = $0 { return reason } else { return nil } }.first
    }

    static func outcome(_ actions: [Controller.Action]) -> TransferOutcome? {
        actions.lazy.compactMap { if case .transferFinished(_, let o) = $0 { return o } else { return nil } }.first
    }

    @Test func referCarriesTheAgentURIAndTheContextKey() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        let tag = Self.confirmedCall(&c)
        let sent = try Self.refer(&c, key: "call-1@10.0.0.9")
        // Through the wire format and back, as the caller sees it.
        let refer = try SIPParser().parseDatagram(SIPSerializer.bytes(sent))

        #expect(refer.method == .refer)
        #expect(refer.requestLine?.uri.host == "10.0.0.9")  // the caller's Contact
        #expect(refer.from?.tag == tag)
        #expect(refer.to?.tag == "caller1")
        #expect(refer.callID == "call-1")
        #expect(refer.cSeq?.method == .refer)
        let referTo = try #require(refer.headers["Refer-To"].flatMap(SIPNameAddress.init))
        #expect(referTo.uri.user == "agents")
        #expect(referTo.uri.host == "10.0.0.50")
        #expect(referTo.uri.port == 5080)
        #expect(refer.headers["Referred-By"]?.contains("127.0.0.1:5060") == true)
        #expect(refer.headers["Contact"]?.contains("127.0.0.1:5060") == true)
        #expect(refer.headers["X-VoiceGate-Context-Id"] == "call-1@10.0.0.9")

        let uui = try #require(refer.headers["User-to-User"])
        let parsed = UserToUser.parse(uui)
        #expect(parsed.parameters["encoding"] == "hex")
        #expect(parsed.parameters["purpose"] == "call")
        #expect(parsed.data.map { String(decoding: $0, as: UTF8.self) } == "call-1@10.0.0.9")
        #expect(uui.split(separator: ";").first?.allSatisfy(\.isHexDigit) == true)

        // The same key embedded in Refer-To reaches the agent in the transferee's INVITE.
        let embedded = try #require(referTo.uri.headers["User-to-User"] ?? nil)
        #expect(UserToUser.parse(embedded).data == parsed.data)
        #expect((referTo.uri.headers["X-VoiceGate-Context-Id"] ?? nil) == "call-1@10.0.0.9")
    }

    @Test func acceptedReferAndNotify200EndWithByeAsTransferred() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        let tag = Self.confirmedCall(&c)
        let refer = try Self.refer(&c)
        #expect(c.activeCallCount == 1)
        let accepted = c.handle(.received(Self.response(to: refer, status: 202), from: Self.caller))
        #expect(accepted.contains { if case .startTimer(.transferTimeout("call-1"), 30_000) = $0 { true } else { false } })
        // No REFER retransmission once answered.
        #expect(Base.sent(c.handle(.timerFired(.referRetransmit(callID: "call-1")))).isEmpty)

        let trying = c.handle(.received(Self.notify(tag: tag, cseq: 1, sipfrag: "SIP/2.0 100 Trying\r\n", branch: "z9hG4bKn1"),
                                        from: Self.caller))
        #expect(Base.statuses(trying) == [200])
        #expect(Base.sent(trying).allSatisfy { $0.method != .bye })
        #expect(c.activeCallCount == 1)

        let ok = c.handle(.received(Self.notify(tag: tag, cseq: 2, sipfrag: "SIP/2.0 200 OK\r\n", branch: "z9hG4bKn2"),
                                    from: Self.caller))
        #expect(Base.statuses(ok) == [200])
        let bye = try #require(Base.sent(ok).first { $0.method == .bye })
        #expect(bye.cSeq.map { $0.sequence > refer.cSeq!.sequence } == true)
        #expect(Self.outcome(ok) == .transferred)
        #expect(Self.ended(ok) == "transferred")
        #expect(c.activeCallCount == 0)
        // The timeout firing late does nothing.
        #expect(c.handle(.timerFired(.transferTimeout(callID: "call-1"))).isEmpty)
    }

    @Test func declinedReferTakesTheFailurePath() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        _ = Self.confirmedCall(&c)
        let refer = try Self.refer(&c)
        let declined = c.handle(.received(Self.response(to: refer, status: 603), from: Self.caller))
        #expect(Self.outcome(declined) == .failed(detail: "603 to REFER"))
        #expect(Self.ended(declined)?.hasPrefix("transfer_failed") == true)
        #expect(Base.sent(declined).contains { $0.method == .bye })
    }

    @Test func notifyWithA503SipfragTakesTheFailurePath() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        let tag = Self.confirmedCall(&c)
        let refer = try Self.refer(&c)
        _ = c.handle(.received(Self.response(to: refer, status: 202), from: Self.caller))
        let failed = c.handle(.received(Self.notify(tag: tag, cseq: 1, sipfrag: "SIP/2.0 503 Service Unavailable\r\n",
                                                    branch: "z9hG4bKn1"), from: Self.caller))
        #expect(Base.statuses(failed) == [200])  // the NOTIFY itself is answered
        #expect(Self.outcome(failed) == .failed(detail: "NOTIFY sipfrag 503"))
        #expect(Self.ended(failed)?.hasPrefix("transfer_failed") == true)
        #expect(Base.sent(failed).contains { $0.method == .bye })
    }

    @Test func unansweredReferIsRetransmittedThenFails() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        _ = Self.confirmedCall(&c)
        _ = try Self.refer(&c)
        var resent = 0
        var outcome: TransferOutcome?
        for _ in 0..<30 where outcome == nil {
            let actions = c.handle(.timerFired(.referRetransmit(callID: "call-1")))
            resent += Base.sent(actions).filter { $0.method == .refer }.count
            outcome = Self.outcome(actions)
        }
        #expect(resent == 10)  // timer E at 0.5, 1.5, 3.5 … 31.5 s; timer F at 64·T1
        #expect(outcome == .failed(detail: "no response to REFER"))
    }

    @Test func acceptedReferWithoutFinalNotifyTimesOut() throws {
        var c = Controller(configuration: Self.config(), seed: 3)
        let tag = Self.confirmedCall(&c)
        let refer = try Self.refer(&c)
        // The NOTIFY may overtake the 202.
        _ = c.handle(.received(Self.notify(tag: tag, cseq: 1, sipfrag: "SIP/2.0 100 Trying\r\n", branch: "z9hG4bKn1"),
                               from: Self.caller))
        _ = c.handle(.received(Self.response(to: refer, status: 202), from: Self.caller))
        let late = c.handle(.timerFired(.transferTimeout(callID: "call-1")))
        #expect(Self.outcome(late) == .failed(detail: "no final NOTIFY in 30000 ms"))
        #expect(Base.sent(late).contains { $0.method == .bye })
    }

    @Test func notifyWithoutAReferGets481() {
        var c = Controller(configuration: Self.config(), seed: 3)
        let tag = Self.confirmedCall(&c)
        let stray = c.handle(.received(Self.notify(tag: tag, cseq: 1, sipfrag: "SIP/2.0 200 OK\r\n", branch: "z9hG4bKn1"),
                                       from: Self.caller))
        #expect(Base.statuses(stray) == [481])
        #expect(c.activeCallCount == 1)
    }
}
