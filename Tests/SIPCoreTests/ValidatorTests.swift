import Testing
import SIPCore

@Suite("UAS request validation (RFC 3261 §8.2)")
struct ValidatorTests {
    static func request(_ method: String = "INVITE", cseqMethod: String? = nil, version: String = "SIP/2.0",
                        extra: String = "", omit: String? = nil) -> SIPMessage {
        var lines = [
            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKv1", "From: <sip:a@example.com>;tag=1", "To: <sip:ivr@bank.example>",
            "Call-ID: c1", "CSeq: 1 \(cseqMethod ?? method)", "Max-Forwards: 70",
        ]
        if let omit { lines.removeAll { $0.hasPrefix(omit + ":") } }
        let text = "\(method) sip:ivr@bank.example \(version)\r\n" + lines.joined(separator: "\r\n") + "\r\n" + extra
            + "Content-Length: 0\r\n\r\n"
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }

    func status(_ m: SIPMessage, _ validator: SIPRequestValidator = SIPRequestValidator()) -> Int? {
        switch validator.validate(m, toTag: "v") {
        case .accept: return nil
        case .reject(let r): return r.status
        case .discard: return -1
        }
    }

    @Test func validRequestIsAccepted() {
        #expect(status(Self.request()) == nil)
        #expect(status(Self.request("OPTIONS")) == nil)
    }

    @Test func version505() { #expect(status(Self.request(version: "SIP/3.0")) == 505) }

    @Test func missingHeaders400() {
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            #expect(status(Self.request(omit: name)) == 400, "\(name)")
        }
    }

    @Test func cseqMismatch400() { #expect(status(Self.request("BYE", cseqMethod: "INVITE")) == 400) }

    @Test func unknownMethod501WithAllow() throws {
        let v = SIPRequestValidator()
        let r = try #require(v.rejection(for: Self.request("FROB")))
        #expect(r.status == 501)
        #expect(r.allow.contains(.invite))
        #expect(r.to?.tag == "v" || r.to?.tag == nil)
        #expect(status(Self.request("REGISTER")) == 405)
    }

    @Test func zeroMaxForwards483ExceptOptions() {
        #expect(status(Self.request(extra: "").withMaxForwards(0)) == 483)
        #expect(status(Self.request("OPTIONS").withMaxForwards(0)) == nil)
        let lenient = SIPRequestValidator(rejectsZeroMaxForwards: false)
        #expect(status(Self.request().withMaxForwards(0), lenient) == nil)
    }

    @Test func unsupportedRequire420() throws {
        let m = Self.request(extra: "Require: timer, foo\r\nRequire: bar\r\n")
        let r = try #require(SIPRequestValidator().rejection(for: m))
        #expect(r.status == 420)
        #expect(r.headers["Unsupported"] == "foo, bar")
        // CANCEL ignores Require (§8.2.2.3).
        #expect(status(Self.request("CANCEL", extra: "Require: foo\r\n")) == nil)
    }

    @Test func invalidAckIsDiscardedNotAnswered() {
        let m = Self.request("ACK", cseqMethod: "INVITE")
        #expect(status(m) == -1)
    }

    @Test func responsesPassThrough() throws {
        let resp = SIPResponseBuilder.response(to: Self.request(), status: 200, toTag: "x")
        #expect(SIPRequestValidator().validate(resp) == .accept)
    }

    @Test func unaddressableRequestIsDropped() {
        let bytes = Array("INVITE sip:a@b SIP/2.0\r\nCSeq: 99999999999 INVITE\r\n\r\n".utf8)
        guard case .drop = SIPRequestValidator().react(toDatagram: bytes) else {
            Issue.record("expected drop")
            return
        }
    }
}

extension SIPMessage {
    func withMaxForwards(_ n: Int) -> SIPMessage {
        var m = self
        m.headers.replace(name: "Max-Forwards", value: String(n))
        return m
    }
}
