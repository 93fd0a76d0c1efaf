import SIPCore
import Testing
import VoiceGateServer

/// The controller's transport decisions for a caller on TCP (RFC 3261 §17, §18), with a test
/// peer that says its transport: Contact with `;transport=tcp`, no 2xx/BYE retransmissions,
/// our BYE with a TCP Via to the same flow. UDP peers are unchanged (the other suites).
@Suite struct TCPFlowTests {
    struct StreamPeer: Hashable, Sendable, SIPTransportAware {
        var transport: SIPTransport
        var name: String
    }
    typealias Controller = CallController<StreamPeer>
    static let caller = StreamPeer(transport: .tcp, name: "10.0.0.9:40122")

    static func request(_ method: String, branch: String, cseq: Int = 1, toTag: String? = nil, body: String = "") -> SIPMessage {
        var text = "\(method) sip:ivr@127.0.0.1:5060;transport=tcp SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 10.0.0.9:40122;branch=\(branch)\r\nMax-Forwards: 70\r\n"
            + "From: <sip:+15550001@10.0.0.9>;tag=caller1\r\nTo: <sip:ivr@127.0.0.1>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
            + "Call-ID: tcp-1\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:caller@10.0.0.9:5070;transport=tcp>\r\n"
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    static func sent(_ actions: [Controller.Action]) -> [SIPMessage] {
        actions.compactMap { if case .send(let m, let to) = $0, to == caller { return m } else { return nil } }
    }

    static func timers(_ actions: [Controller.Action]) -> [(CallTimerID, Int64)] {
        actions.compactMap { if case let .startTimer(id, ms) = $0 { return (id, ms) } else { return nil } }
    }

    @Test func tcpCallHasTCPContactAndNoRetransmissions() throws {
        var c = Controller(configuration: .init(host: "127.0.0.1", port: 5060, rtpPorts: 20000...20009), seed: 7)
        let offer = CallControllerTests.offer()
        _ = c.handle(.received(Self.request("INVITE", branch: "z9hG4bKt1", body: offer), from: Self.caller))
        let answer = c.handle(.mediaOpened(callID: "tcp-1"))
        let ok = try #require(Self.sent(answer).first)
        #expect(ok.status == 200)
        #expect(ok.headers["Contact"] == "<sip:voicegate@127.0.0.1:5060;transport=tcp>")
        // No 2xx retransmission on a stream: the only timer is the 64·T1 wait for the ACK.
        let waits = Self.timers(answer).filter { if case .successRetransmit = $0.0 { true } else { false } }
        #expect(waits.map(\.1) == [32_000])
        let missingAck = c.handle(.timerFired(.successRetransmit(callID: "tcp-1")))
        #expect(Self.sent(missingAck).allSatisfy { $0.method == .bye }, "no 200 retransmission, BYE at timer expiry")

        var d = Controller(configuration: .init(host: "127.0.0.1", port: 5060, rtpPorts: 20000...20009), seed: 8)
        _ = d.handle(.received(Self.request("INVITE", branch: "z9hG4bKt2", body: offer), from: Self.caller))
        let toTag = try #require(Self.sent(d.handle(.mediaOpened(callID: "tcp-1"))).first?.to?.tag)
        _ = d.handle(.received(Self.request("ACK", branch: "z9hG4bKt2a", toTag: toTag), from: Self.caller))
        let hangUp = d.handle(.hangUp(callID: "tcp-1", reason: "ivr hung up"))
        let bye = try #require(Self.sent(hangUp).first)
        #expect(bye.method == .bye)
        #expect(bye.topVia?.transport == "TCP")
        #expect(bye.requestLine?.uri.transport == "tcp", "BYE to the caller's Contact")
        #expect(Self.timers(hangUp).contains { $0.0 == .byeRetransmit(callID: "tcp-1") && $0.1 == 32_000 })
        #expect(Self.sent(d.handle(.timerFired(.byeRetransmit(callID: "tcp-1")))).isEmpty, "timer F, no resend")
        #expect(d.activeCallCount == 0)
    }

    @Test func udpPeersKeepRetransmittingAndUDPVia() throws {
        var c = CallController<String>(configuration: .init(host: "127.0.0.1", port: 5060, rtpPorts: 20000...20009), seed: 9)
        _ = c.handle(.received(CallControllerTests.request("INVITE", body: CallControllerTests.offer()), from: CallControllerTests.caller))
        let answer = c.handle(.mediaOpened(callID: "call-1"))
        let ok = try #require(CallControllerTests.sent(answer).first)
        #expect(ok.headers["Contact"] == "<sip:voicegate@127.0.0.1:5060>")
        #expect(CallControllerTests.statuses(c.handle(.timerFired(.successRetransmit(callID: "call-1")))) == [200])
    }

    @Test func transportTokensAndReliability() {
        #expect(SIPTransport(viaToken: "tcp") == .tcp && SIPTransport(viaToken: "UDP") == .udp)
        #expect(SIPTransport(viaToken: "SCTP") == nil)
        #expect(SIPTransport.tcp.viaToken == "TCP" && SIPTransport.tcp.reliability == .reliable)
        #expect(SIPTransport.udp.uriParameter == nil && SIPTransport.tcp.uriParameter == "tcp")
        var reliable = SuccessRetransmitter(timers: SIPTimers(), reliability: .reliable)
        #expect(reliable.firstDelay == 32_000)
        #expect(reliable.tick() == [.giveUp])
    }
}
