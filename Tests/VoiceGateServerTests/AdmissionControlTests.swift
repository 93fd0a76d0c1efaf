import SIPCore
import Testing
import VoiceGateDialog
import VoiceGateServer
import VoiceGateTestSupport

/// The allow-list (CIDR v4/v6 edges), the calls-per-second token bucket on a manual clock, and
/// the draining decisions: pure values, no sockets.
@Suite struct AdmissionControlTests {
    static func address(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func ipv4NetworkEdges() throws {
        let net = try #require(IPNetwork("10.20.0.0/16"))
        #expect(net.contains(Self.address("10.20.0.0")))
        #expect(net.contains(Self.address("10.20.255.255")))
        #expect(!net.contains(Self.address("10.21.0.0")))
        #expect(!net.contains(Self.address("10.19.255.255")))
        let odd = try #require(IPNetwork("192.0.2.128/25"))
        #expect(odd.contains(Self.address("192.0.2.128")) && odd.contains(Self.address("192.0.2.255")))
        #expect(!odd.contains(Self.address("192.0.2.127")))
        let host = try #require(IPNetwork("203.0.113.7"))
        #expect(host.prefixLength == 32 && host.contains(Self.address("203.0.113.7")) && !host.contains(Self.address("203.0.113.8")))
        let everything = try #require(IPNetwork("0.0.0.0/0"))
        #expect(everything.contains(Self.address("255.255.255.255")))
        #expect(!everything.contains(Self.address("::1")), "an IPv4 network never matches IPv6")
    }

    @Test func ipv6NetworkEdgesAndMappedIPv4() throws {
        let net = try #require(IPNetwork("2001:db8:abcd:12::/63"))
        #expect(net.contains(Self.address("2001:db8:abcd:12::1")))
        #expect(net.contains(Self.address("2001:db8:abcd:13:ffff:ffff:ffff:ffff")))
        #expect(!net.contains(Self.address("2001:db8:abcd:14::")))
        #expect(!net.contains(Self.address("2001:db8:abcd:11:ffff:ffff:ffff:ffff")))
        let loopback = try #require(IPNetwork("::1/128"))
        #expect(loopback.contains(Self.address("0:0:0:0:0:0:0:1")) && !loopback.contains(Self.address("::2")))
        // A dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d: they match IPv4 networks.
        let mapped = Self.address("::ffff:10.1.2.3")
        #expect(mapped.isV4 && IPNetwork("10.0.0.0/8")!.contains(mapped))
        #expect(Self.address("2001:db8::192.0.2.1").bytes.suffix(4) == [192, 0, 2, 1])
    }

    @Test func badNetworksAreRefused() {
        for text in ["10.0.0.0/33", "10.1.2.3/8", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/", "2001:db8::/129",
                     "2001:db8::1/32", "1::2::3", "2001:db8:::1", "::ffff:10.0.0.0/104", "", "fe80::1%eth0", "10.0.0.01.1"] {
            #expect(IPNetwork(text) == nil, "\(text) should not parse")
        }
    }

    @Test func tokenBucketAllowsTheRateAndABurstOfOneSecond() {
        var clock = ManualClock()
        let bucket = Box(TokenBucket(ratePerSecond: 5))
        let burst = (0..<10).filter { _ in bucket.value.take(atMs: clock.nowMs) }.count
        #expect(burst == 5, "a full bucket holds one second's worth")
        #expect(bucket.value.msUntilNextToken(atMs: clock.nowMs) == 200)
        clock.advance(byMs: 199)
        let early = bucket.value.take(atMs: clock.nowMs)
        #expect(!early)
        clock.advance(byMs: 1)
        let onTime = bucket.value.take(atMs: clock.nowMs)
        #expect(onTime)
        // Ten seconds of one attempt per 100 ms: about 5 per second pass.
        var passed = 0
        for _ in 0..<100 {
            clock.advance(byMs: 100)
            if bucket.value.take(atMs: clock.nowMs) { passed += 1 }
        }
        #expect((49...51).contains(passed), "\(passed) passed in 10 s at 5/s")
        // A long quiet time refills to the capacity, not beyond.
        clock.advance(byMs: 60_000)
        let refilled = (0..<20).filter { _ in bucket.value.take(atMs: clock.nowMs) }.count
        #expect(refilled == 5)
    }

    static func invite(_ callID: String = "a1", toTag: String? = nil) -> SIPMessage {
        let to = toTag.map { "<sip:ivr@127.0.0.1>;tag=\($0)" } ?? "<sip:ivr@127.0.0.1>"
        return request("INVITE", callID: callID, to: to)
    }

    static func request(_ method: String, callID: String = "a1", to: String = "<sip:ivr@127.0.0.1>;tag=t1") -> SIPMessage {
        let text = "\(method) sip:ivr@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK\(callID)\r\n"
            + "From: <sip:caller@10.0.0.9>;tag=f1\r\nTo: \(to)\r\nCall-ID: \(callID)\r\nCSeq: 1 \(method)\r\n"
            + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    @Test func disallowedSourcesAreRejectedOrDropped() {
        let trunk = [IPNetwork("192.0.2.0/24")!, IPNetwork("2001:db8::/32")!]
        let reject = Box(AdmissionControl(policy: .init(allowedNetworks: trunk, onDisallowed: .reject)))
        let stranger = Self.address("198.51.100.1")
        #expect(reject.value.screen(Self.invite(), from: Self.address("192.0.2.77"), isNewCall: true, atMs: 0) == .admit)
        #expect(reject.value.screen(Self.invite(), from: Self.address("2001:db8::5"), isNewCall: true, atMs: 0) == .admit)
        guard case .refuse(403, nil, _) = reject.value.screen(Self.invite(), from: stranger, isNewCall: true, atMs: 0) else {
            Issue.record("INVITE from outside the trunk should get 403")
            return
        }
        guard case .refuse(403, nil, _) = reject.value.screen(Self.request("OPTIONS"), from: stranger, isNewCall: false, atMs: 0) else {
            Issue.record("OPTIONS from outside the trunk should get 403 too")
            return
        }
        // Never a response to an ACK, nor to a response, nor to a non-IP source.
        #expect(reject.value.screen(Self.request("ACK"), from: stranger, isNewCall: false, atMs: 0).isIgnore)
        let response = SIPResponseBuilder.response(to: Self.invite(), status: 200)
        #expect(reject.value.screen(response, from: stranger, isNewCall: false, atMs: 0).isIgnore)
        #expect(!reject.value.allows(nil))

        let drop = Box(AdmissionControl(policy: .init(allowedNetworks: trunk, onDisallowed: .drop)))
        #expect(drop.value.screen(Self.invite(), from: stranger, isNewCall: true, atMs: 0).isIgnore)
        #expect(drop.value.screen(Self.request("BYE"), from: stranger, isNewCall: false, atMs: 0).isIgnore)
        #expect(drop.value.screen(Self.request("BYE"), from: Self.address("192.0.2.1"), isNewCall: false, atMs: 0) == .admit)
    }

    @Test func rateLimitAnswers503WithRetryAfterForNewCallsOnly() {
        var clock = ManualClock()
        let control = Box(AdmissionControl(policy: .init(maxNewCallsPerSecond: 2)))
        let local = Self.address("127.0.0.1")
        #expect(control.value.screen(Self.invite("c1"), from: local, isNewCall: true, atMs: clock.nowMs) == .admit)
        #expect(control.value.screen(Self.invite("c2"), from: local, isNewCall: true, atMs: clock.nowMs) == .admit)
        guard case .refuse(503, let retry?, _) = control.value.screen(Self.invite("c3"), from: local, isNewCall: true, atMs: clock.nowMs) else {
            Issue.record("the third new call in the same instant should get 503")
            return
        }
        #expect(retry == 1)
        // In-dialog requests and retransmissions are never limited.
        #expect(control.value.screen(Self.request("BYE", callID: "c1"), from: local, isNewCall: false, atMs: clock.nowMs) == .admit)
        #expect(control.value.screen(Self.invite("c1"), from: local, isNewCall: false, atMs: clock.nowMs) == .admit)
        clock.advance(byMs: 500)
        #expect(control.value.screen(Self.invite("c4"), from: local, isNewCall: true, atMs: clock.nowMs) == .admit)

        let unlimited = Box(AdmissionControl(policy: .init(maxNewCallsPerSecond: 0)))
        var admitted = 0
        for _ in 0..<1000 where unlimited.value.admitNewCall(atMs: 0) == .admit { admitted += 1 }
        #expect(admitted == 1000)
    }

    @Test func drainingRefusesNewCallsButNotCallsInProgress() {
        let control = Box(AdmissionControl(policy: .init(drainingRetryAfterSeconds: 30)))
        let local = Self.address("::1")
        #expect(!control.value.isDraining)
        control.value.startDraining()
        #expect(control.value.isDraining)
        #expect(control.value.screen(Self.invite("new"), from: local, isNewCall: true, atMs: 0)
                == .refuse(status: 503, retryAfterSeconds: 30, reason: "draining for shutdown"))
        for method in ["BYE", "ACK", "CANCEL", "INFO", "NOTIFY"] {
            #expect(control.value.screen(Self.request(method), from: local, isNewCall: false, atMs: 0) == .admit, "\(method)")
        }
        #expect(control.value.screen(Self.invite("a1", toTag: "t1"), from: local, isNewCall: false, atMs: 0) == .admit,
                "a re-INVITE of a call in progress passes")
    }

    @Test func controllerTellsNewCallAttemptsFromRetransmissions() {
        var controller = CallController<String>(configuration: .init(host: "127.0.0.1", port: 5060), seed: 1)
        let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        let text = "INVITE sip:ivr@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx1\r\n"
            + "From: <sip:caller@127.0.0.1>;tag=f1\r\nTo: <sip:ivr@127.0.0.1>\r\nCall-ID: n1\r\nCSeq: 1 INVITE\r\n"
            + "Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: \(offer.utf8.count)\r\n\r\n" + offer
        let invite = try! SIPParser().parseDatagram(Array(text.utf8))
        #expect(controller.isNewCallAttempt(invite))
        _ = controller.handle(.received(invite, from: "caller"))
        #expect(!controller.isNewCallAttempt(invite), "a retransmission is not a new call")
        #expect(!controller.isNewCallAttempt(Self.invite("n1", toTag: "t9")), "a re-INVITE is not a new call")
        #expect(!controller.isNewCallAttempt(Self.request("BYE", callID: "other")))
    }
}

/// A mutable value behind a reference, so `#expect` can call its mutating methods.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

extension AdmissionControl.Verdict {
    var isIgnore: Bool {
        if case .ignore = self { return true }
        return false
    }
}
