import SIPCore
import VoiceGateDialog
import Testing
import VoiceGateServer

/// The refer-then-bridge fallback through the pure state machine: a failed REFER leads to our
/// INVITE to the agent (same context headers), and each agent-leg outcome.
@Suite struct BridgeTransferTests {
    typealias Controller = CallController<String>
    typealias Base = CallControllerTests
    typealias Transfer = TransferTests
    static let caller = Base.caller
    static let agent = "10.0.0.50:5080"

    static func config(mode: TransferMode = .referThenBridge) -> Controller.Configuration {
        var configuration = Transfer.config()
        configuration.transferMode = mode
        configuration.agentPeer = agent
        configuration.transferTimeoutMs = 20_000
        return configuration
    }

    static func toAgent(_ actions: [Controller.Action]) -> [SIPMessage] {
        actions.compactMap { if case .send(let m, let to) = $0, to == agent { return m } else { return nil } }
    }

    static func commands(_ actions: [Controller.Action]) -> [BridgeCommand] {
        actions.compactMap { if case .bridge(let command) = $0 { return command } else { return nil } }
    }

    /// A confirmed call whose REFER was declined with 603; returns the actions of the decline.
    static func declinedRefer(_ c: inout Controller) throws -> [Controller.Action] {
        try declinedReferWithTag(&c).actions
    }

    /// As `declinedRefer`, with our To-tag of the caller's dialog.
    static func declinedReferWithTag(_ c: inout Controller) throws -> (tag: String, actions: [Controller.Action]) {
        let tag = Transfer.confirmedCall(&c)
        let refer = try Transfer.refer(&c, key: "call-1")
        return (tag, c.handle(.received(Transfer.response(to: refer, status: 603), from: caller)))
    }

    static func agentResponse(to invite: SIPMessage, status: Int, sdp: Bool = true) -> SIPMessage {
        let body = "v=0\r\no=agent 1 1 IN IP4 10.0.0.50\r\ns=-\r\nc=IN IP4 10.0.0.50\r\nt=0 0\r\n"
            + "m=audio 6000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        var headers = SIPHeaders()
        if status < 300 { headers.add(name: "Contact", value: "<sip:agent7@10.0.0.50:5080>") }
        if status >= 200 && status < 300 && sdp { headers.add(name: "Content-Type", value: "application/sdp") }
        return SIPResponseBuilder.response(to: invite, status: status, toTag: status > 100 ? "agent1" : nil,
                                           extraHeaders: headers, body: status / 100 == 2 && sdp ? Array(body.utf8) : [])
    }

    /// A BYE from the agent in the agent leg's dialog.
    static func agentBye(_ invite: SIPMessage) -> SIPMessage {
        let text = "BYE sip:voicegate@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.50:5080;branch=z9hG4bKagentbye\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:agents@10.0.0.50:5080>;tag=agent1\r\n"
            + "To: \(invite.headers["From"] ?? "")\r\n"
            + "Call-ID: \(invite.callID ?? "")\r\n"
            + "CSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    @Test func declinedReferSendsTheAgentAnInviteWithTheSameContext() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let actions = try Self.declinedRefer(&c)
        #expect(Base.sent(actions).allSatisfy { $0.method != .bye }, "the caller must not be hung up")
        #expect(Transfer.ended(actions) == nil)
        let plan = try #require(Self.commands(actions).lazy.compactMap { if case .open(let p) = $0 { return p } else { return nil } }.first)
        #expect(plan.callID == "call-1")
        #expect(plan.referFailure == "603 to REFER")
        #expect(plan.callerRTPPort == 20000)
        #expect(plan.agentRTPPort != plan.callerRTPPort)
        #expect(plan.callerMedia.codec.name == "PCMU")

        let sent = try #require(Self.toAgent(actions).first)
        let invite = try SIPParser().parseDatagram(SIPSerializer.bytes(sent))  // as the agent sees it
        #expect(invite.method == .invite)
        #expect(invite.requestLine?.uri.user == "agents")
        #expect(invite.requestLine?.uri.host == "10.0.0.50")
        #expect(invite.requestLine?.uri.port == 5080)
        #expect(invite.requestLine?.uri.headers.isEmpty == true)
        #expect(invite.callID != nil && invite.callID != "call-1")
        #expect(invite.callID == plan.agentCallID)
        #expect(invite.from?.uri.user == "+15550001")  // the caller's identity
        #expect(invite.from?.tag != nil && invite.from?.tag != "caller1")
        #expect(invite.to?.tag == nil)
        #expect(invite.topVia?.branch?.hasPrefix("z9hG4bK") == true)
        #expect(invite.headers["Contact"]?.contains("127.0.0.1:5060") == true)
        #expect(invite.headers["X-VoiceGate-Context-Id"] == "call-1")
        let uui = try #require(invite.headers["User-to-User"])
        let parsed = UserToUser.parse(uui)
        #expect(parsed.data.map { String(decoding: $0, as: UTF8.self) } == "call-1")
        #expect(parsed.parameters["purpose"] == "call")
        // The same headers as the REFER carried.
        let sdp = String(decoding: invite.body, as: UTF8.self)
        #expect(invite.contentType == "application/sdp")
        #expect(sdp.contains("m=audio \(plan.agentRTPPort) RTP/AVP 0 101"))
        #expect(!sdp.contains("PCMA"))
    }

    @Test func referModeEndsTheCallInstead() throws {
        var c = Controller(configuration: Self.config(mode: .refer), seed: 5)
        let actions = try Self.declinedRefer(&c)
        #expect(Base.sent(actions).contains { $0.method == .bye })
        #expect(Self.toAgent(actions).isEmpty)
        #expect(Transfer.ended(actions) == "transfer_failed (603 to REFER)")
    }

    @Test func agentAnswerIsAckedAndBridged() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let invite = try #require(Self.toAgent(try Self.declinedRefer(&c)).first)
        #expect(Self.toAgent(c.handle(.received(Self.agentResponse(to: invite, status: 180), from: Self.agent))).isEmpty)
        let ok = Self.agentResponse(to: invite, status: 200)
        let answered = c.handle(.received(ok, from: Self.agent))
        let ack = try #require(Self.toAgent(answered).first)
        #expect(ack.method == .ack)
        #expect(ack.requestLine?.uri.user == "agent7")  // the agent's Contact
        #expect(ack.to?.tag == "agent1")
        #expect(ack.cSeq?.sequence == 1 && ack.cSeq?.method == .ack)
        #expect(ack.topVia?.branch != invite.topVia?.branch)  // the 2xx ACK is a new transaction
        let connected = Self.commands(answered).compactMap { if case let .connect(id, media) = $0 { return (id, media) } else { return nil } }
        #expect(connected.first?.0 == "call-1")
        #expect(connected.first?.1.remoteRTPPort == 6000)
        #expect(connected.first?.1.telephoneEventPayloadType == 101)
        #expect(Transfer.outcome(answered) == .transferred)
        #expect(Base.sent(answered).isEmpty)  // the caller stays, no BYE
        // A retransmitted 200 (our ACK was lost) gets the ACK again, and nothing else.
        let again = c.handle(.received(ok, from: Self.agent))
        #expect(Self.toAgent(again).map(\.method) == [.ack])
        #expect(Self.commands(again).isEmpty)
        #expect(c.activeCallCount == 1)
    }

    @Test func busyAgentMeansSorryThenByeWithTransferFailed() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let invite = try #require(Self.toAgent(try Self.declinedRefer(&c)).first)
        let busy = c.handle(.received(Self.agentResponse(to: invite, status: 486), from: Self.agent))
        let ack = try #require(Self.toAgent(busy).first)
        #expect(ack.method == .ack)
        #expect(ack.topVia?.branch == invite.topVia?.branch)  // a non-2xx ACK is in the INVITE's transaction
        #expect(ack.to?.tag == "agent1")
        guard case .failed(let detail)? = Transfer.outcome(busy) else {
            Issue.record("no failed outcome")
            return
        }
        #expect(detail.contains("603") && detail.contains("486"))
        let reason = try #require(Self.commands(busy).lazy.compactMap { if case let .fail(_, r) = $0 { return r } else { return nil } }.first)
        #expect(reason.hasPrefix("transfer_failed"))
        #expect(Base.sent(busy).isEmpty)  // the sorry prompt plays first
        // The bridge media reports the end once the prompt played: BYE to the caller.
        let end = c.handle(.hangUp(callID: "call-1", reason: reason))
        #expect(Base.sent(end).map(\.method) == [.bye])
        #expect(Transfer.ended(end)?.hasPrefix("transfer_failed") == true)
        #expect(Self.commands(end).contains(.close(callID: "call-1")))
        // The 486 again (our ACK lost): the transaction ACKs it again.
        #expect(Self.toAgent(c.handle(.received(Self.agentResponse(to: invite, status: 486), from: Self.agent))).map(\.method) == [.ack])
    }

    @Test func callerByeEndsTheAgentLeg() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let (tag, declined) = try Self.declinedReferWithTag(&c)
        let invite = try #require(Self.toAgent(declined).first)
        _ = c.handle(.received(Self.agentResponse(to: invite, status: 200), from: Self.agent))
        let bye = Base.request("BYE", branch: "z9hG4bKbye1", cseq: 2, toTag: tag)
        let actions = c.handle(.received(bye, from: Self.caller))
        #expect(Base.statuses(actions) == [200])
        let agentBye = try #require(Self.toAgent(actions).first)
        #expect(agentBye.method == .bye)
        #expect(agentBye.to?.tag == "agent1")
        #expect(agentBye.callID == invite.callID)
        #expect(Self.commands(actions).contains(.close(callID: "call-1")))
        #expect(c.activeCallCount == 0)
        // The agent's 200 to our BYE ends the leg: a BYE for it now gets 481.
        var ok = SIPResponseBuilder.response(to: agentBye, status: 200)
        ok.headers.replace(name: "CSeq", value: agentBye.headers["CSeq"] ?? "")
        _ = c.handle(.received(ok, from: Self.agent))
        let late = c.handle(.received(Self.agentBye(invite), from: Self.agent))
        #expect(Self.toAgent(late).compactMap(\.status) == [481])
    }

    @Test func agentByeEndsTheCallerLeg() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let invite = try #require(Self.toAgent(try Self.declinedRefer(&c)).first)
        _ = c.handle(.received(Self.agentResponse(to: invite, status: 200), from: Self.agent))
        let actions = c.handle(.received(Self.agentBye(invite), from: Self.agent))
        #expect(Self.toAgent(actions).compactMap(\.status) == [200])
        #expect(Base.sent(actions).map(\.method) == [.bye])
        #expect(Transfer.ended(actions) == "agent hung up")
        #expect(Self.commands(actions).contains(.close(callID: "call-1")))
    }

    @Test func silentAgentIsRetriedThenGivenUp() throws {
        var configuration = Self.config()
        configuration.transferTimeoutMs = 120_000  // longer than timer B
        var c = Controller(configuration: configuration, seed: 5)
        let actions = try Self.declinedRefer(&c)
        let invite = try #require(Self.toAgent(actions).first)
        let legID = try #require(invite.callID)
        #expect(actions.contains { if case .startTimer(.bridge(legID, .transaction(.a)), 500) = $0 { return true } else { return false } })
        let retry = c.handle(.timerFired(.bridge(callID: legID, .transaction(.a))))
        #expect(Self.toAgent(retry) == [invite])
        #expect(retry.contains { if case .startTimer(.bridge(_, .transaction(.a)), 1000) = $0 { return true } else { return false } })
        let gaveUp = c.handle(.timerFired(.bridge(callID: legID, .transaction(.b))))
        guard case .failed(let detail)? = Transfer.outcome(gaveUp) else {
            Issue.record("no failed outcome")
            return
        }
        #expect(detail.contains("no response"))
    }

    @Test func ringingAgentIsCancelledAfterTheTransferTimeout() throws {
        var c = Controller(configuration: Self.config(), seed: 5)
        let invite = try #require(Self.toAgent(try Self.declinedRefer(&c)).first)
        let legID = try #require(invite.callID)
        _ = c.handle(.received(Self.agentResponse(to: invite, status: 180), from: Self.agent))
        let timeout = c.handle(.timerFired(.bridge(callID: legID, .answer)))
        let cancel = try #require(Self.toAgent(timeout).first)
        #expect(cancel.method == .cancel)
        #expect(cancel.topVia?.branch == invite.topVia?.branch)
        #expect(cancel.cSeq?.sequence == 1)
        guard case .failed(let detail)? = Transfer.outcome(timeout) else {
            Issue.record("no failed outcome")
            return
        }
        #expect(detail.contains("no answer in 20000 ms"))
        // Answered after all (the CANCEL crossed the 200): ACK and BYE it.
        let late = c.handle(.received(Self.agentResponse(to: invite, status: 200), from: Self.agent))
        #expect(Self.toAgent(late).map(\.method) == [.ack, .bye])
    }
}
