import Testing
import SIPCore

@Suite("Responses per RFC 3261 §8.2.6")
struct ResponseBuilderTests {
    static let request: SIPMessage = {
        let text = "INVITE sip:ivr@bank.example SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP proxy.example;branch=z9hG4bKa, SIP/2.0/UDP pbx.example;branch=z9hG4bKb\r\n"
            + "Via: SIP/2.0/TCP phone.example:5070;branch=z9hG4bKc;rport=5071;received=192.0.2.9\r\n"
            + "Max-Forwards: 69\r\nFrom: \"Caller\" <sip:alice@example.com>;tag=f1\r\nTo: <sip:ivr@bank.example>\r\n"
            + "Call-ID: call-1@example.com\r\nCSeq: 7 INVITE\r\nTimestamp: 54\r\nContent-Length: 0\r\n\r\n"
        return try! SIPParser().parseDatagram(Array(text.utf8))
    }()

    @Test func copiesViaFromToCallIDCSeqInOrder() throws {
        let r = SIPResponseBuilder.response(to: Self.request, status: 180, toTag: "t9",
                                            extraHeaders: SIPHeaders(["Allow": "INVITE, ACK", "Supported": "timer"]))
        #expect(r.status == 180)
        #expect(r.statusLine?.reason == "Ringing")
        #expect(r.headers.fields.map(\.name) == ["Via", "Via", "From", "To", "Call-ID", "CSeq", "Allow", "Supported"])
        #expect(r.headers.values("Via") == Self.request.headers.values("Via"))
        #expect(r.vias?.map(\.branch) == ["z9hG4bKa", "z9hG4bKb", "z9hG4bKc"])
        #expect(r.topVia?.rport == .absent)
        #expect(Self.request.vias?[2].rport == .value(5071))
        #expect(Self.request.vias?[2].received == "192.0.2.9")
        #expect(r.from == Self.request.from)
        #expect(r.to?.tag == "t9")
        #expect(r.to?.uri == Self.request.to?.uri)
        #expect(r.callID == "call-1@example.com")
        #expect(r.cSeq == SIPCSeq(sequence: 7, method: .invite))
        #expect(!r.headers.contains("Timestamp"))
        #expect(!r.headers.contains("Max-Forwards"))
    }

    @Test func trying100HasNoTagButTimestamp() {
        let r = SIPResponseBuilder.response(to: Self.request, status: 100, toTag: "t9")
        #expect(r.to?.tag == nil)
        #expect(r.headers["Timestamp"] == "54")
        #expect(r.statusLine?.reason == "Trying")
    }

    @Test func existingToTagIsKept() throws {
        var req = Self.request
        req.headers.replace(name: "To", value: "<sip:ivr@bank.example>;tag=old")
        let r = SIPResponseBuilder.response(to: req, status: 200, toTag: "new")
        #expect(r.to?.tag == "old")
        #expect(r.headers.values("To").count == 1)
    }

    @Test func reasonPhrases() {
        #expect(SIPStatus.reasonPhrase(for: 486) == "Busy Here")
        #expect(SIPStatus.reasonPhrase(for: 503) == "Service Unavailable")
        #expect(SIPStatus.reasonPhrase(for: 499) == "Client Error")
        let r = SIPResponseBuilder.response(to: Self.request, status: 503, toTag: "x",
                                            extraHeaders: SIPHeaders(["Retry-After": "5"]))
        #expect(r.headers["Retry-After"] == "5")
        #expect(String(decoding: SIPSerializer.bytes(r), as: UTF8.self).hasPrefix("SIP/2.0 503 Service Unavailable\r\n"))
    }
}
