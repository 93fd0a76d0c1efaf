import Testing
import SIPCore

@Suite("SIP URIs")
struct URITests {
    @Test func fullSIPURI() throws {
        let u = try #require(SIPURI("sips:alice:secret@[2001:db8::1]:5061;transport=TLS;lr?Subject=hi%20there&Priority=urgent"))
        #expect(u.scheme == .sips)
        #expect(u.user == "alice")
        #expect(u.password == "secret")
        #expect(u.host == "[2001:db8::1]")
        #expect(u.port == 5061)
        #expect(u.transport == "tls")
        #expect(u.parameters.contains("LR"))
        #expect(u.headers["subject"] == .some("hi there"))
        #expect(u.description == "sips:alice:secret@[2001:db8::1]:5061;transport=TLS;lr?Subject=hi%20there&Priority=urgent")
    }

    @Test func escapedCharactersCompareDecoded() throws {
        let a = try #require(SIPURI("sip:%61lice@EXAMPLE.com;transport=tcp"))
        let b = try #require(SIPURI("sip:alice@example.com;Transport=TCP"))
        #expect(a.isEquivalent(to: b))
        #expect(a.user == "alice")
        #expect(!a.isEquivalent(to: SIPURI("sip:Alice@example.com;transport=tcp")!))
        #expect(!a.isEquivalent(to: SIPURI("sip:alice@example.com")!))  // transport must match
        #expect(!a.isEquivalent(to: SIPURI("sip:alice@example.com:5060;transport=tcp")!))
        // Escaping on output: characters the user part cannot carry are re-escaped.
        let odd = SIPURI(user: "a b@c", host: "h")
        #expect(odd.description == "sip:a%20b%40c@h")
        #expect(SIPURI(odd.description) == odd)
    }

    @Test func telAndOpaque() throws {
        let t = try #require(SIPURI("tel:+1-201-555-0123;phone-context=example.com"))
        #expect(t.scheme == .tel)
        #expect(t.user == "+1-201-555-0123")
        #expect(t.parameters["phone-context"] == .some("example.com"))
        let o = try #require(SIPURI("urn:service:sos"))
        #expect(o.scheme == .other("urn"))
        #expect(o.description == "urn:service:sos")
    }

    @Test func rejectsMalformed() {
        for bad in ["<sip:a@b>", "sip:a@b c", "sip:%zz@b", "sip:", "sip:a@", "sip:a@b:99999", "sip:a@[::1", "1sip:x",
                    "sip:a@b;", "sip:a@b?x"] {
            #expect(SIPURI(bad) == nil, "\(bad)")
        }
    }

    @Test func nameAddressForms() throws {
        let a = try #require(SIPNameAddress("Bob <sip:bob@example.com;transport=udp>;tag=x;expires=60"))
        #expect(a.displayName == "Bob")
        #expect(a.uri.transport == "udp")
        #expect(a.tag == "x")
        let b = try #require(SIPNameAddress("sip:bob@example.com;tag=x"))
        #expect(b.uri.parameters.isEmpty)
        #expect(b.tag == "x")
        #expect(SIPNameAddress("\"unterminated <sip:a@b>") == nil)
        #expect(SIPNameAddress("Bell, Alexander <sip:a@b>") == nil)
        #expect(SIPNameAddress(a.description) == a)
    }
}
