import Testing
import NIOCore
import SIPCore

@Suite("Header fields")
struct HeadersTests {
    @Test func compactFormsAndCaseInsensitiveLookup() {
        var h = SIPHeaders(["v": "SIP/2.0/UDP a;branch=z9hG4bK1", "i": "id", "VIA": "SIP/2.0/TCP b, SIP/2.0/UDP c",
                            "x-custom": "1", "k": "timer, 100rel"])
        #expect(h.fields.map(\.name) == ["Via", "Call-ID", "Via", "x-custom", "Supported"])
        #expect(h["call-id"] == "id")
        #expect(h["I"] == "id")
        #expect(h["X-CUSTOM"] == "1")
        #expect(h.values("via").count == 2)
        #expect(h.listValues("v") == ["SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/TCP b", "SIP/2.0/UDP c"])
        h.replace(name: "Via", value: "SIP/2.0/UDP z")
        #expect(h.values("Via") == ["SIP/2.0/UDP z"])
        #expect(h.fields.first?.name == "Via")
        h.prepend(name: "v", value: "SIP/2.0/UDP top")
        #expect(h.values("Via") == ["SIP/2.0/UDP top", "SIP/2.0/UDP z"])
        h.remove(name: "V")
        #expect(!h.contains("Via"))
        var f = SIPHeaderField(name: "x", value: "1")
        f.name = "l"
        #expect(f.name == "Content-Length")
    }

    @Test func typedAccessorsOnAParsedMessage() throws {
        let text = "INVITE sip:ivr@bank.example SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bKx;rport\r\n"
            + "f: Alice <sip:alice@example.com>;tag=a\r\nt: sip:ivr@bank.example\r\ni: x@y\r\nCSeq: 2147483647 INVITE\r\n"
            + "Max-Forwards: 300\r\nm: <sip:alice@192.0.2.1:5062;transport=udp>;expires=30\r\n"
            + "Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\r\nRoute: <sip:edge.example;lr>\r\n"
            + "Require: timer\r\nAllow: INVITE, ACK, BYE\r\nc: Application/SDP; charset=utf-8\r\nl: 3\r\n\r\nabcEXTRA"
        let m = try SIPParser().parseDatagram(ByteBuffer(string: text))
        #expect(m.topVia?.host == "[2001:db8::9]")
        #expect(m.topVia?.port == 5062)
        #expect(m.topVia?.rport == .requested)
        #expect(m.from?.displayName == "Alice")
        #expect(m.to?.tag == nil)
        #expect(m.cSeq?.sequence == 2_147_483_647)
        #expect(m.maxForwards == nil)  // above 255: treated as absent
        guard case .addresses(let contacts) = m.contact else { Issue.record("contact"); return }
        #expect(contacts[0].uri.port == 5062)
        #expect(contacts[0].parameters["expires"] == .some("30"))
        #expect(m.recordRoute?.map(\.uri.host) == ["p2.example", "p1.example"])
        #expect(m.route?.count == 1)
        #expect(m.require == ["timer"])
        #expect(m.allow == [.invite, .ack, .bye])
        #expect(m.contentType == "application/sdp")
        #expect(m.body == Array("abc".utf8))
        #expect(throws: SIPParseError.self) {
            try SIPParser().parseDatagram(Array(text.replacingCSeq("2147483648 INVITE").utf8))
        }
    }
}

extension String {
    func replacingCSeq(_ value: String) -> String {
        split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("CSeq:") ? "CSeq: " + value : String($0) }
            .joined(separator: "\r\n")
    }
}
