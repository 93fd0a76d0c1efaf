import Testing
import SIPCore

/// Field-level checks of the well-formed torture messages: the parser must not only accept them
/// but read the values the RFC describes.
@Suite("RFC 4475 field values")
struct TortureFieldTests {
    func parse(_ name: String) throws -> SIPMessage {
        try SIPParser().parseDatagram(TortureFixtures.bytes(named: name))
    }

    @Test func wsinvUnusualWhitespace() throws {
        let m = try parse("wsinv")
        let line = try #require(m.requestLine)
        #expect(line.method == .invite)
        #expect(line.uri.user == "vivekg")
        #expect(line.uri.host == "chair-dnrc.example.com")
        #expect(line.uri.parameters.contains("unknownparam"))
        #expect(m.to?.tag == "1918181833n")
        #expect(m.to?.uri.user == "vivekg")
        #expect(m.from?.displayName == "J Rosenberg \\\"")
        #expect(m.from?.tag == "98asjd8")
        #expect(m.maxForwards == 68)
        #expect(m.cSeq == SIPCSeq(sequence: 9, method: .invite))
        #expect(m.callID == "wsinv.ndaksdj@192.0.2.1")
        let vias = try #require(m.vias)
        #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.branch) == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"])
        #expect(m.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(m.headers["UnknownHeaderWithUnusualValue"] == ";;,,;;,;")
        #expect(m.headers["Subject"] == "")
        #expect(m.route?.first?.uri.parameters.contains("lr") == true)
        guard case .addresses(let contacts) = m.contact else { Issue.record("contact"); return }
        #expect(contacts.count == 1)
        #expect(contacts[0].displayName == "Quoted string \"\"")
        #expect(contacts[0].parameters["newparam"] == .some("newvalue"))
        #expect(contacts[0].parameters.contains("secondparam"))
        #expect(contacts[0].parameters["q"] == .some("0.33"))
        #expect(m.body.count == 150)
        #expect(m.contentType == "application/sdp")
    }

    @Test func esc01PercentDecoding() throws {
        let m = try parse("esc01")
        let uri = try #require(m.requestLine?.uri)
        #expect(uri.user == "sips:user@example.com")
        #expect(uri.host == "example.net")
        #expect(m.to?.uri.user == "user")
        #expect(m.to?.uri.isEquivalent(to: SIPURI("sip:user@example.com")!) == true)
        #expect(m.from?.uri.user == "I have spaces")
        guard case .addresses(let contacts) = m.contact else { Issue.record("contact"); return }
        #expect(contacts[0].uri.user == "caller")
        #expect(contacts[0].uri.parameters.contains("lr"))
        #expect(contacts[0].uri.parameters["name"] == .some("value%41"))
        #expect(m.callID == "esc01.239409asdfakjkn23onasd0-3234")
    }

    @Test func escnullKeepsNul() throws {
        let m = try parse("escnull")
        #expect(m.to?.uri.user == "null-\u{0}-null")
        guard case .addresses(let contacts) = m.contact else { Issue.record("contact"); return }
        #expect(contacts.map { $0.uri.user } == ["\u{0}", "\u{0}\u{0}"])
    }

    @Test func esc02HasTwoContacts() throws {
        let m = try parse("esc02")
        #expect(m.method == SIPMethod("RE%47IST%45R"))
        guard case .addresses(let contacts) = m.contact else { Issue.record("contact"); return }
        #expect(contacts.count == 2)
        #expect(m.headers["C%6Fntact"] == "<sip:alias2@host2.example.com>")
        #expect(m.to?.displayName == "%Z%45")
    }

    @Test func intmethWideCharacters() throws {
        let m = try parse("intmeth")
        #expect(m.method == SIPMethod("!interesting-Method0123456789_*+`.%indeed'~"))
        let uri = try #require(m.requestLine?.uri)
        #expect(uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        #expect(m.to?.displayName == "BEL:\u{7} NUL:\u{0} DEL:\u{7F}")
        #expect(m.from?.displayName == "token1~` token2'+_ token3*%!.-")
        #expect(m.from?.tag == "_token~1'+`*%!-.")
        #expect(m.callID == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
        #expect(m.topVia?.branch == "z9hG4bK-.!%66*_+`'~")
    }

    @Test func longreqLongValues() throws {
        let m = try parse("longreq")
        #expect(m.to?.displayName == "I have a user name of " + String(repeating: "extreme", count: 10) + " proportion")
        #expect(m.to?.uri.port == 6000)
        #expect(m.from?.uri.user == String(repeating: "amazinglylongcallername", count: 5))
        let vias = try #require(m.vias)
        #expect(vias.count == 34)
        #expect(vias.first?.host == "sip33.example.com")
        #expect(m.body.count == 150)
    }

    @Test func semiuriUserPart() throws {
        let m = try parse("semiuri")
        let uri = try #require(m.requestLine?.uri)
        #expect(uri.user == "user;par=u@example.net")
        #expect(uri.host == "example.com")
        #expect(uri.parameters.isEmpty)
        #expect(m.headers.listValues("Accept").count == 6)
    }

    @Test func dblreqIgnoresTrailingOctets() throws {
        let m = try parse("dblreq")
        #expect(m.method == .register)
        #expect(m.body.isEmpty)
        #expect(m.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
    }

    @Test func mpart01BinaryBodyFramedByContentLength() throws {
        let m = try parse("mpart01")
        #expect(m.method == .message)
        #expect(m.contentLength == 553)
        #expect(m.body.count == 553)
        #expect(m.body.contains(0))
        #expect(m.contentType == "multipart/mixed")
    }

    @Test func responsesWithOddReasons() throws {
        let u = try parse("unreason")
        #expect(u.status == 200)
        #expect(u.statusLine?.reason.hasPrefix("= 2**3 * 5**2 ") == true)
        #expect(u.statusLine?.reason.unicodeScalars.contains { $0.value > 0x400 } == true)
        let n = try parse("noreason")
        #expect(n.status == 100)
        #expect(n.statusLine?.reason == "")
    }

    @Test func contactParametersVersusURIParameters() throws {
        let c1 = try parse("cparam01")
        guard case .addresses(let a1) = c1.contact else { Issue.record("contact"); return }
        #expect(a1[0].uri.parameters.isEmpty)
        #expect(a1[0].parameters.contains("unknownparam"))
        let c2 = try parse("cparam02")
        guard case .addresses(let a2) = c2.contact else { Issue.record("contact"); return }
        #expect(a2[0].uri.parameters.contains("unknownparam"))
        #expect(a2[0].parameters.isEmpty)
        let r = try parse("regescrt")
        guard case .addresses(let a3) = r.contact else { Issue.record("contact"); return }
        #expect(a3[0].uri.headers["Route"] == .some("<sip:sip.example.com>"))
        #expect(!r.headers.contains("Route"))
    }

    @Test func escruriHeadersStayInTheURI() throws {
        let m = try parse("escruri")
        #expect(m.requestLine?.uri.headers["Route"] == .some("<sip:example.com>"))
        #expect(!m.headers.contains("Route"))
        // Serialising keeps them escaped inside the URI.
        let line = String(decoding: SIPSerializer.bytes(m).prefix(80), as: UTF8.self)
        #expect(line.hasPrefix("INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\r\n"))
    }

    @Test func rejectionsCarryTheHeadersTheRFCAsksFor() throws {
        func response(_ name: String) throws -> SIPMessage {
            let reaction = SIPRequestValidator().react(toDatagram: TortureFixtures.bytes(named: name), toTag: "u")
            guard case .respond(let r) = reaction else { throw Unexpected() }
            return r
        }
        let bext = try response("bext01")
        #expect(bext.status == 420)
        #expect(bext.headers["Unsupported"] == "nothingSupportsThis, nothingSupportsThisEither")
        let intmeth = try response("intmeth")
        #expect(intmeth.status == 501)
        #expect(intmeth.allow.contains(.invite) && intmeth.allow.contains(.options))
        #expect(intmeth.to?.tag == "u")
        #expect(intmeth.cSeq?.sequence == 139122385)
        let invut = try response("invut")
        #expect(invut.headers["Accept"]?.contains("application/sdp") == true)
        let sdp01 = try response("sdp01")
        #expect(sdp01.headers["Warning"]?.hasPrefix("399 ") == true)
        // The 400 for a malformed Via still copies it, so the response can be routed.
        let badinv = try response("badinv01")
        #expect(badinv.headers["Via"] == "SIP/2.0/UDP 192.0.2.15;;,;,,")
        #expect(badinv.headers["Call-ID"] == "badinv01.0ha0isndaksdjasdf3234nas")
    }

    struct Unexpected: Error {}

    @Test func otherSchemesStayOpaque() throws {
        let u = try parse("unkscm")
        #expect(u.requestLine?.uri.scheme == .other("nobodyknowsthisscheme"))
        #expect(u.requestLine?.uri.opaque == "totallyopaquecontent")
        let n = try parse("unksm2")
        #expect(n.to?.uri.scheme == .other("isbn"))
        #expect(n.from?.uri.scheme == .other("http"))
    }

    @Test func transportsAndOldSyntax() throws {
        let t = try parse("transports")
        #expect(t.vias?.map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
        let old = try parse("inv2543")
        #expect(old.headers.contains("Content-Length") == false)
        #expect(old.body.count == 105)
        #expect(old.topVia?.branch == nil)
        let bad = try parse("badbranch")
        #expect(bad.topVia?.hasRFC3261Branch == false)
    }

    @Test func rejectedForTheRightReason() {
        func reason(_ name: String) -> SIPParseError.Reason? {
            do {
                _ = try SIPParser().parseDatagram(TortureFixtures.bytes(named: name))
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(reason("clerr") == .contentLengthExceedsData)
        #expect(reason("ncl") == .invalidContentLength)
        #expect(reason("mcl01") == .multipleContentLength)
        #expect(reason("scalar02") == .malformedHeader("CSeq"))
        #expect(reason("scalarlg") == .malformedHeader("CSeq"))
        #expect(reason("bigcode") == .invalidStatusCode)
        #expect(reason("badinv01") == .malformedHeader("Via"))
    }
}
