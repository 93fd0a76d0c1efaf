import SIPCore
import Testing
import VoiceGateServer

/// Call flows through the pure UAS state machine: messages in, messages and media commands out.
@Suite struct CallControllerTests {
    typealias Controller = CallController<String>
    static let caller = "10.0.0.9:5070"

    static func config(answerDelayMs: Int64 = 0, maxCalls: Int = 200) -> Controller.Configuration {
        .init(host: "127.0.0.1", port: 5060, rtpPorts: 20000...20009, maxCalls: maxCalls, answerDelayMs: answerDelayMs)
    }

    static func offer(codecs: String = "0 8 101", maps: String = "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n") -> String {
        "v=0\r\no=caller 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP \(codecs)\r\n\(maps)"
    }

    static func request(_ method: String, callID: String = "call-1", branch: String = "z9hG4bKinv1", cseq: Int = 1,
                        toTag: String? = nil, body: String = "", contentType: String = "application/sdp") -> SIPMessage {
        var text = "\(method) sip:ivr@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.9:5070;branch=\(branch)\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:+15550001@10.0.0.9>;tag=caller1\r\n"
            + "To: <sip:ivr@127.0.0.1>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
            + "Call-ID: \(callID)\r\n"
            + "CSeq: \(cseq) \(method)\r\n"
            + "Contact: <sip:caller@10.0.0.9:5070>\r\n"
        if !body.isEmpty { text += "Content-Type: \(contentType)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    static func sent(_ actions: [Controller.Action]) -> [SIPMessage] {
        actions.compactMap { if case .send(let m, let to) = $0, to == caller { return m } else { return nil } }
    }

    static func statuses(_ actions: [Controller.Action]) -> [Int] { sent(actions).compactMap(\.status) }

    static func plan(_ actions: [Controller.Action]) -> MediaPlan? {
        actions.lazy.compactMap { if case .openMedia(let p) = $0 { return p } else { return nil } }.first
    }

    /// INVITE, media opened, 200 OK: returns the controller and our To-tag.
    static func answeredCall(_ c: inout Controller) -> String {
        _ = c.handle(.received(request("INVITE", body: offer()), from: caller))
        let answer = c.handle(.mediaOpened(callID: "call-1"))
        return sent(answer).first!.to!.tag!
    }

    @Test func inviteGetsTryingThenOKWithSDPAndMediaStartsOnACK() throws {
        var c = Controller(configuration: Self.config(), seed: 42)
        let first = c.handle(.received(Self.request("INVITE", body: Self.offer()), from: Self.caller))
        #expect(Self.statuses(first) == [100])
        #expect(Self.sent(first)[0].to?.tag == nil)
        let plan = try #require(Self.plan(first))
        #expect(plan.localRTPPort == 20000)
        #expect(plan.media.codec.name == "PCMU")
        #expect(plan.media.remoteRTPPort == 4000)
        #expect(plan.media.telephoneEventPayloadType == 101)
        #expect(plan.callerNumber == "+15550001")

        let answer = c.handle(.mediaOpened(callID: "call-1"))
        let ok = try #require(Self.sent(answer).first)
        #expect(ok.status == 200)
        #expect(ok.to?.tag != nil)
        #expect(ok.contentType == "application/sdp")
        #expect(ok.headers["Contact"]?.contains("127.0.0.1:5060") == true)
        let body = String(decoding: ok.body, as: UTF8.self)
        #expect(body.contains("m=audio 20000 RTP/AVP 0 101"))
        #expect(body.contains("c=IN IP4 127.0.0.1"))
        #expect(answer.contains { if case .startTimer(.successRetransmit("call-1"), 500) = $0 { true } else { false } })

        // No ACK yet: the 200 goes out again at T1.
        let again = c.handle(.timerFired(.successRetransmit(callID: "call-1")))
        #expect(Self.statuses(again) == [200])

        let ack = c.handle(.received(Self.request("ACK", branch: "z9hG4bKack1", toTag: ok.to?.tag), from: Self.caller))
        #expect(ack.contains { if case .startMedia("call-1") = $0 { true } else { false } })
        #expect(Self.statuses(c.handle(.timerFired(.successRetransmit(callID: "call-1")))).isEmpty)
        #expect(c.activeCallCount == 1)
    }

    @Test func missingAckEndsTheCallWithBye() {
        var c = Controller(configuration: Self.config(), seed: 7)
        _ = Self.answeredCall(&c)
        var resent = 0
        var bye: SIPMessage?
        for _ in 0..<30 where bye == nil {
            for message in Self.sent(c.handle(.timerFired(.successRetransmit(callID: "call-1")))) {
                if message.status == 200 { resent += 1 }
                if message.method == .bye { bye = message }
            }
        }
        // Resent at 0.5, 1.5, 3.5, 7.5 … 31.5 s (T1 doubling to T2 = 4 s), then 64·T1 = 32 s: give up.
        #expect(resent == 10)
        #expect(bye != nil)
        #expect(c.activeCallCount == 0)
    }

    @Test func retransmittedInviteGetsTheLastResponseAgain() {
        var c = Controller(configuration: Self.config(), seed: 1)
        _ = c.handle(.received(Self.request("INVITE", body: Self.offer()), from: Self.caller))
        let again = c.handle(.received(Self.request("INVITE", body: Self.offer()), from: Self.caller))
        #expect(Self.statuses(again) == [100])
        #expect(Self.plan(again) == nil)  // no second call
        #expect(c.activeCallCount == 1)
    }

    @Test func callerByeGets200AndClosesMedia() {
        var c = Controller(configuration: Self.config(), seed: 1)
        let tag = Self.answeredCall(&c)
        _ = c.handle(.received(Self.request("ACK", branch: "z9hG4bKack1", toTag: tag), from: Self.caller))
        let bye = c.handle(.received(Self.request("BYE", branch: "z9hG4bKbye1", cseq: 2, toTag: tag), from: Self.caller))
        #expect(Self.statuses(bye) == [200])
        #expect(bye.contains { if case .closeMedia("call-1") = $0 { true } else { false } })
        #expect(c.activeCallCount == 0)
        // A retransmitted BYE gets the same 200 from its transaction, not a 481.
        let again = c.handle(.received(Self.request("BYE", branch: "z9hG4bKbye1", cseq: 2, toTag: tag), from: Self.caller))
        #expect(Self.statuses(again) == [200])
    }

    @Test func ivrHangUpSendsByeInTheDialog() throws {
        var c = Controller(configuration: Self.config(), seed: 1)
        let tag = Self.answeredCall(&c)
        _ = c.handle(.received(Self.request("ACK", branch: "z9hG4bKack1", toTag: tag), from: Self.caller))
        let actions = c.handle(.hangUp(callID: "call-1", reason: "ivr"))
        let bye = try #require(Self.sent(actions).first)
        #expect(bye.method == .bye)
        #expect(bye.requestLine?.uri.host == "10.0.0.9")  // the caller's Contact
        #expect(bye.from?.tag == tag)
        #expect(bye.to?.tag == "caller1")
        #expect(bye.cSeq?.method == .bye)
        #expect(actions.contains { if case .closeMedia("call-1") = $0 { true } else { false } })
        #expect(c.activeCallCount == 0)
        // Not answered: sent again at T1; the 200 stops it.
        #expect(Self.sent(c.handle(.timerFired(.byeRetransmit(callID: "call-1")))).first?.method == .bye)
        var ok = SIPResponseBuilder.response(to: bye, status: 200)
        ok.headers.replace(name: "CSeq", value: "1 BYE")
        _ = c.handle(.received(ok, from: Self.caller))
        #expect(Self.sent(c.handle(.timerFired(.byeRetransmit(callID: "call-1")))).isEmpty)
    }

    @Test func cancelBeforeAnswerGets200And487() {
        var c = Controller(configuration: Self.config(answerDelayMs: 3000), seed: 1)
        _ = c.handle(.received(Self.request("INVITE", body: Self.offer()), from: Self.caller))
        let ringing = c.handle(.mediaOpened(callID: "call-1"))
        #expect(Self.statuses(ringing) == [180])
        #expect(ringing.contains { if case .startTimer(.answer("call-1"), 3000) = $0 { true } else { false } })
        let cancel = c.handle(.received(Self.request("CANCEL", body: ""), from: Self.caller))
        #expect(Self.statuses(cancel) == [200, 487])
        #expect(cancel.contains { if case .closeMedia("call-1") = $0 { true } else { false } })
        #expect(c.activeCallCount == 0)
        // The answer timer firing late answers nothing.
        #expect(Self.sent(c.handle(.timerFired(.answer(callID: "call-1")))).isEmpty)
        // 487 is retransmitted (timer G) until the ACK, which stops it.
        #expect(Self.statuses(c.handle(.timerFired(.invite(callID: "call-1", .g)))) == [487])
        _ = c.handle(.received(Self.request("ACK", body: ""), from: Self.caller))
        #expect(Self.statuses(c.handle(.timerFired(.invite(callID: "call-1", .g)))).isEmpty)
    }

    @Test func byeWhileRingingEndsTheInviteWith487() throws {
        var c = Controller(configuration: Self.config(answerDelayMs: 2000), seed: 1)
        _ = c.handle(.received(Self.request("INVITE", body: Self.offer()), from: Self.caller))
        let tag = try #require(Self.sent(c.handle(.mediaOpened(callID: "call-1"))).first?.to?.tag)
        let bye = c.handle(.received(Self.request("BYE", branch: "z9hG4bKbye", cseq: 2, toTag: tag), from: Self.caller))
        #expect(Self.statuses(bye) == [200, 487])
        #expect(c.activeCallCount == 0)
    }

    @Test func newInviteWithTheSameCallIDAfterARejectionIsANewCall() throws {
        var c = Controller(configuration: Self.config(), seed: 1)
        let g729 = Self.offer(codecs: "18", maps: "a=rtpmap:18 G729/8000\r\n")
        #expect(Self.statuses(c.handle(.received(Self.request("INVITE", body: g729), from: Self.caller))) == [100, 488])
        let retry = c.handle(.received(Self.request("INVITE", branch: "z9hG4bKinv2", cseq: 2, body: Self.offer()),
                                       from: Self.caller))
        #expect(Self.statuses(retry) == [100])
        #expect(Self.plan(retry) != nil)
    }

    @Test func cancelWithoutItsInviteGets481() {
        var c = Controller(configuration: Self.config(), seed: 1)
        #expect(Self.statuses(c.handle(.received(Self.request("CANCEL"), from: Self.caller))) == [481])
    }

    @Test func optionsListsWhatWeDo() throws {
        var c = Controller(configuration: Self.config(), seed: 1)
        let r = try #require(Self.sent(c.handle(.received(Self.request("OPTIONS", branch: "z9hG4bKopt"), from: Self.caller))).first)
        #expect(r.status == 200)
        #expect(r.allow.contains(.invite) && r.allow.contains(.bye) && r.allow.contains(.cancel))
        #expect(r.headers["Accept"] == "application/sdp")
        #expect(r.headers.contains("Supported"))
    }

    @Test func noCommonCodecGets488WithWarning() throws {
        var c = Controller(configuration: Self.config(), seed: 1)
        let actions = c.handle(.received(Self.request("INVITE", body: Self.offer(codecs: "18", maps: "a=rtpmap:18 G729/8000\r\n")),
                                         from: Self.caller))
        #expect(Self.statuses(actions) == [100, 488])
        #expect(Self.sent(actions)[1].headers["Warning"]?.hasPrefix("3") == true)
        #expect(Self.plan(actions) == nil)
        #expect(c.activeCallCount == 0)
    }

    @Test func inDialogRequestsForUnknownDialogsGet481() {
        var c = Controller(configuration: Self.config(), seed: 1)
        #expect(Self.statuses(c.handle(.received(Self.request("BYE", toTag: "nope"), from: Self.caller))) == [481])
        #expect(Self.statuses(c.handle(.received(Self.request("INVITE", branch: "z9hG4bKre", toTag: "nope", body: Self.offer()),
                                                 from: Self.caller))) == [481])
        // A known Call-ID with the wrong To-tag is still not our dialog.
        _ = Self.answeredCall(&c)
        #expect(Self.statuses(c.handle(.received(Self.request("BYE", branch: "z9hG4bKb2", cseq: 2, toTag: "wrong"),
                                                 from: Self.caller))) == [481])
    }

    @Test func beyondMaxCallsGets503WithRetryAfter() throws {
        var c = Controller(configuration: Self.config(maxCalls: 1), seed: 1)
        _ = Self.answeredCall(&c)
        let busy = c.handle(.received(Self.request("INVITE", callID: "call-2", branch: "z9hG4bK2", body: Self.offer()),
                                      from: Self.caller))
        let r = try #require(Self.sent(busy).first)
        #expect(r.status == 503)
        #expect(r.headers["Retry-After"] == "5")
    }

    @Test func infoDtmfRelayBecomesAKey() {
        var c = Controller(configuration: Self.config(), seed: 1)
        let tag = Self.answeredCall(&c)
        let info = c.handle(.received(Self.request("INFO", branch: "z9hG4bKinfo", cseq: 3, toTag: tag,
                                                   body: "Signal=5\r\nDuration=160\r\n", contentType: "application/dtmf-relay"),
                                      from: Self.caller))
        #expect(Self.statuses(info) == [200])
        #expect(info.contains { if case .keyPressed("call-1", "5") = $0 { true } else { false } })
    }

    @Test func portsAreEvenAndReleased() {
        var pool = RTPPortPool(range: 20001...20006)
        #expect(pool.capacity == 3)
        let taken = [pool.take(), pool.take(), pool.take()]
        #expect(taken == [20002, 20004, 20006])
        #expect(pool.take() == nil)
        pool.release(20004)
        #expect(pool.take() == 20004)
    }
}
