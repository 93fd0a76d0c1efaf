import SIPCore
import Testing
import VoiceGateServer

/// re-INVITEs (hold, resume, codec and address change, refresh, 491, 488) and offerless INVITEs
/// through the pure state machine.
@Suite struct ReinviteTests {
    typealias Controller = CallController<String>
    typealias Base = CallControllerTests
    static let caller = Base.caller

    /// An SDP offer from the caller.
    static func sdp(address: String = "10.0.0.9", port: Int = 4000, formats: String = "0 8 101",
                    direction: String? = nil, version: Int = 1) -> String {
        var text = "v=0\r\no=caller 1 \(version) IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 \(address)\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP \(formats)\r\n"
        for format in formats.split(separator: " ") {
            switch format {
            case "0": text += "a=rtpmap:0 PCMU/8000\r\n"
            case "8": text += "a=rtpmap:8 PCMA/8000\r\n"
            case "18": text += "a=rtpmap:18 G729/8000\r\n"
            case "101": text += "a=rtpmap:101 telephone-event/8000\r\n"
            default: break
            }
        }
        if let direction { text += "a=\(direction)\r\n" }
        return text
    }

    /// A confirmed call (INVITE with the default offer, 200, ACK); returns our To-tag and the 200's SDP.
    static func confirmedCall(_ c: inout Controller) -> (tag: String, body: String) {
        _ = c.handle(.received(Base.request("INVITE", body: sdp()), from: caller))
        let ok = Base.sent(c.handle(.mediaOpened(callID: "call-1"))).first!
        let tag = ok.to!.tag!
        _ = c.handle(.received(Base.request("ACK", branch: "z9hG4bKack1", toTag: tag), from: caller))
        return (tag, String(decoding: ok.body, as: UTF8.self))
    }

    /// Sends a re-INVITE with CSeq `cseq`; returns the actions.
    static func reinvite(_ c: inout Controller, tag: String, cseq: Int, body: String) -> [Controller.Action] {
        c.handle(.received(Base.request("INVITE", branch: "z9hG4bKre\(cseq)", cseq: cseq, toTag: tag, body: body),
                           from: caller))
    }

    static func ack(_ c: inout Controller, tag: String, cseq: Int, body: String = "") -> [Controller.Action] {
        c.handle(.received(Base.request("ACK", branch: "z9hG4bKreack\(cseq)", cseq: cseq, toTag: tag, body: body),
                           from: caller))
    }

    static func updated(_ actions: [Controller.Action]) -> NegotiatedMedia? {
        actions.lazy.compactMap { if case .updateMedia(_, let m) = $0 { return m } else { return nil } }.first
    }

    static func body(_ message: SIPMessage) -> String { String(decoding: message.body, as: UTF8.self) }

    /// The `o=` line's session id and version.
    static func origin(_ body: String) -> (id: String, version: Int)? {
        guard let line = body.split(separator: "\r\n").first(where: { $0.hasPrefix("o=") }) else { return nil }
        let words = line.split(separator: " ")
        guard words.count >= 3, let version = Int(words[2]) else { return nil }
        return (String(words[1]), version)
    }

    @Test func holdIsAnsweredRecvonlyThenResumeSendrecvWithVersionSteps() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, first) = Self.confirmedCall(&c)
        let firstOrigin = try #require(Self.origin(first))

        let hold = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(direction: "sendonly", version: 2))
        let held = try #require(Base.sent(hold).first)
        #expect(held.status == 200)
        #expect(held.to?.tag == tag)
        #expect(held.headers["Contact"] != nil)
        #expect(Self.body(held).contains("a=recvonly"))
        let heldOrigin = try #require(Self.origin(Self.body(held)))
        #expect(heldOrigin.id == firstOrigin.id && heldOrigin.version == firstOrigin.version + 1)
        let heldMedia = try #require(Self.updated(hold))
        #expect(heldMedia.direction == .recvonly && heldMedia.isOnHold)
        #expect(hold.contains { if case .startTimer(.reinviteSuccessRetransmit("call-1", _), 500) = $0 { true } else { false } })
        #expect(!Self.ack(&c, tag: tag, cseq: 2).isEmpty)  // cancels the 200's retransmission

        let resume = Self.reinvite(&c, tag: tag, cseq: 3, body: Self.sdp(version: 3))
        let resumed = try #require(Base.sent(resume).first)
        #expect(resumed.status == 200)
        #expect(Self.body(resumed).contains("a=sendrecv"))
        #expect(Self.origin(Self.body(resumed))?.version == firstOrigin.version + 2)
        #expect(Self.updated(resume)?.direction == .sendrecv)
        #expect(c.activeCallCount == 1)
    }

    @Test func inactiveAndOldStyleHoldAddressAreHolds() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, _) = Self.confirmedCall(&c)
        let inactive = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(direction: "inactive"))
        #expect(Self.body(try #require(Base.sent(inactive).first)).contains("a=inactive"))
        #expect(Self.updated(inactive)?.direction == .inactive)
        _ = Self.ack(&c, tag: tag, cseq: 2)
        let oldStyle = Self.reinvite(&c, tag: tag, cseq: 3, body: Self.sdp(address: "0.0.0.0"))
        #expect(Self.body(try #require(Base.sent(oldStyle).first)).contains("a=recvonly"))
        #expect(Self.updated(oldStyle)?.isOnHold == true)
    }

    @Test func unchangedOfferGetsTheSameAnswerAndNoMediaUpdate() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, first) = Self.confirmedCall(&c)
        let refresh = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp())
        let ok = try #require(Base.sent(refresh).first)
        #expect(ok.status == 200)
        #expect(Self.body(ok) == first)
        #expect(Self.updated(refresh) == nil)
    }

    @Test func codecAndAddressChangeSwitchTheCallsMedia() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, first) = Self.confirmedCall(&c)
        #expect(first.contains("RTP/AVP 0 101"))
        let change = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(address: "10.0.0.10", port: 4002, formats: "8 101"))
        let ok = try #require(Base.sent(change).first)
        #expect(Self.body(ok).contains("m=audio 20000 RTP/AVP 8 101"))
        let media = try #require(Self.updated(change))
        #expect(media.codec.name == "PCMA" && media.codec.payloadType == 8)
        #expect(media.remoteAddress == "10.0.0.10" && media.remoteRTPPort == 4002)
        #expect(media.direction == .sendrecv)
    }

    @Test func offerWithNothingInCommonGets488AndTheCallKeepsItsMedia() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, first) = Self.confirmedCall(&c)
        let bad = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(formats: "18"))
        let refused = try #require(Base.sent(bad).first)
        #expect(refused.status == 488)
        #expect(refused.headers["Warning"]?.hasPrefix("305 ") == true)
        #expect(Self.updated(bad) == nil)
        #expect(!bad.contains { if case .closeMedia = $0 { true } else { false } })
        // The ACK of the 488 (same branch) is absorbed by its transaction.
        let ackOf488 = c.handle(.received(Base.request("ACK", branch: "z9hG4bKre2", cseq: 2, toTag: tag), from: Self.caller))
        #expect(Base.sent(ackOf488).isEmpty)
        // Still PCMU at the same version: the old offer gets the old answer, byte for byte.
        let again = Self.reinvite(&c, tag: tag, cseq: 3, body: Self.sdp())
        #expect(Self.body(try #require(Base.sent(again).first)) == first)
        #expect(Self.updated(again) == nil)
        #expect(c.activeCallCount == 1)
    }

    @Test func reinviteWhileAnotherAwaitsItsAckGets491() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, _) = Self.confirmedCall(&c)
        _ = Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(direction: "sendonly"))
        let second = Self.reinvite(&c, tag: tag, cseq: 3, body: Self.sdp())
        #expect(Base.statuses(second) == [491])
        #expect(Self.updated(second) == nil)
        // The first one's 200 is resent until its ACK, then no more.
        let resent = c.handle(.timerFired(.reinviteSuccessRetransmit(callID: "call-1", branch: "z9hG4bKre2")))
        #expect(Base.statuses(resent) == [200])
        _ = Self.ack(&c, tag: tag, cseq: 2)
        #expect(c.handle(.timerFired(.reinviteSuccessRetransmit(callID: "call-1", branch: "z9hG4bKre2"))).isEmpty)
        #expect(Base.statuses(Self.reinvite(&c, tag: tag, cseq: 4, body: Self.sdp())) == [200])
    }

    @Test func reinviteBeforeTheInitialAckGets491AndItsAckIsNotTakenForTheInitial() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        _ = c.handle(.received(Base.request("INVITE", body: Self.sdp()), from: Self.caller))
        let tag = try #require(Base.sent(c.handle(.mediaOpened(callID: "call-1"))).first?.to?.tag)
        #expect(Base.statuses(Self.reinvite(&c, tag: tag, cseq: 2, body: Self.sdp(direction: "sendonly"))) == [491])
        let ackOf491 = c.handle(.received(Base.request("ACK", branch: "z9hG4bKre2", cseq: 2, toTag: tag), from: Self.caller))
        #expect(!ackOf491.contains { if case .startMedia = $0 { true } else { false } })
        let ack = c.handle(.received(Base.request("ACK", branch: "z9hG4bKack1", toTag: tag), from: Self.caller))
        #expect(ack.contains { if case .startMedia = $0 { true } else { false } })
    }

    @Test func retransmittedReinviteIsAbsorbedAndLowerCSeqGets500() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, _) = Self.confirmedCall(&c)
        let first = Self.reinvite(&c, tag: tag, cseq: 5, body: Self.sdp(direction: "sendonly"))
        #expect(Base.statuses(first) == [200])
        // RFC 6026: the transaction absorbs the retransmission (the 200's own timer resends it);
        // it is not a second re-INVITE (that would get 491) and changes nothing.
        let again = Self.reinvite(&c, tag: tag, cseq: 5, body: Self.sdp(direction: "sendonly"))
        #expect(Base.statuses(again).isEmpty)
        #expect(Self.updated(again) == nil)
        _ = Self.ack(&c, tag: tag, cseq: 5)
        #expect(Base.statuses(Self.reinvite(&c, tag: tag, cseq: 4, body: Self.sdp())) == [500])
    }

    @Test func reinviteWithoutOfferGetsOurOfferAndTheAnswerComesInTheAck() throws {
        var c = Controller(configuration: Base.config(), seed: 3)
        let (tag, _) = Self.confirmedCall(&c)
        let offerless = Self.reinvite(&c, tag: tag, cseq: 2, body: "")
        let ok = try #require(Base.sent(offerless).first)
        #expect(ok.status == 200 && Self.body(ok).contains("m=audio 20000 RTP/AVP 0 8 101"))
        let acked = Self.ack(&c, tag: tag, cseq: 2, body: Self.sdp(port: 4010, formats: "8 101"))
        let media = try #require(Self.updated(acked))
        #expect(media.codec.name == "PCMA" && media.remoteRTPPort == 4010)
    }

    // MARK: Offerless INVITE

    @Test func offerlessInviteGetsOurOfferInThe200AndTheAckAnswerStartsMedia() throws {
        var c = Controller(configuration: Base.config(), seed: 9)
        let first = c.handle(.received(Base.request("INVITE", body: ""), from: Self.caller))
        #expect(Base.statuses(first) == [100])
        let plan = try #require(Base.plan(first))
        #expect(plan.media.direction == .inactive)  // nothing to send to before the answer
        let ok = try #require(Base.sent(c.handle(.mediaOpened(callID: "call-1"))).first)
        #expect(ok.status == 200 && ok.contentType == "application/sdp")
        let offer = Self.body(ok)
        #expect(offer.contains("m=audio 20000 RTP/AVP 0 8 101"))
        #expect(offer.contains("a=rtpmap:0 PCMU/8000") && offer.contains("a=rtpmap:8 PCMA/8000"))
        #expect(offer.contains("a=rtpmap:101 telephone-event/8000") && offer.contains("a=sendrecv"))

        let ack = c.handle(.received(Base.request("ACK", branch: "z9hG4bKack1", toTag: ok.to?.tag,
                                                  body: Self.sdp(port: 4020, formats: "8 101")), from: Self.caller))
        let media = try #require(Self.updated(ack))
        #expect(media.codec.name == "PCMA" && media.remoteRTPPort == 4020 && media.telephoneEventPayloadType == 101)
        #expect(media.direction == .sendrecv)
        let update = ack.firstIndex { if case .updateMedia = $0 { true } else { false } }
        let start = ack.firstIndex { if case .startMedia = $0 { true } else { false } }
        #expect(update != nil && start != nil && update! < start!)
        #expect(c.activeCallCount == 1)
    }

    @Test(arguments: ["", "v=0\r\nnot sdp\r\n", sdp(formats: "18")])
    func offerlessInviteWhoseAckHasNoUsableAnswerIsEndedWithBye(ackBody: String) throws {
        var c = Controller(configuration: Base.config(), seed: 9)
        _ = c.handle(.received(Base.request("INVITE", body: ""), from: Self.caller))
        let ok = try #require(Base.sent(c.handle(.mediaOpened(callID: "call-1"))).first)
        let ack = c.handle(.received(Base.request("ACK", branch: "z9hG4bKack1", toTag: ok.to?.tag, body: ackBody),
                                     from: Self.caller))
        #expect(Base.sent(ack).contains { $0.method == .bye })
        #expect(!ack.contains { if case .startMedia = $0 { true } else { false } })
        #expect(ack.contains { if case .closeMedia("call-1") = $0 { true } else { false } })
        let reason = ack.lazy.compactMap { if case .callEnded(_, let r) = $0 { return r } else { return nil } }.first
        #expect(reason?.hasPrefix("no usable SDP answer in the ACK") == true)
        #expect(c.activeCallCount == 0)
    }
}
