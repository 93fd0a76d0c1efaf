import Testing
import SIPCore

/// RFC 4475: every torture message parsed or rejected as the RFC says, and the UAS reaction of
/// parser + validator (with VoiceGate's defaults: no registrar, so REGISTER/MESSAGE get 405).
@Suite("RFC 4475 torture messages")
struct TortureTests {
    /// What our UAS may do with each message. `nil` in a set means "processed" (accepted).
    static let reactions: [String: Set<Int?>] = [
        "wsinv": [nil], "intmeth": [501], "esc01": [nil], "escnull": [405], "esc02": [501], "lwsdisp": [nil],
        "longreq": [nil], "dblreq": [405], "semiuri": [nil], "transports": [nil], "mpart01": [405],
        "unreason": [nil], "noreason": [nil],
        "badinv01": [400], "clerr": [400], "ncl": [400], "scalar02": [400], "scalarlg": [],
        "quotbal": [400, nil], "ltgtruri": [400, nil], "lwsruri": [400, nil], "lwsstart": [400, nil],
        "trws": [400, nil], "escruri": [400, nil], "baddate": [400, nil], "regbadct": [400, 405],
        "badaspec": [400, nil], "baddn": [400, nil], "badvers": [505], "mismatch01": [400],
        "mismatch02": [501, 400], "bigcode": [],
        "badbranch": [nil, 400], "insuf": [400], "unkscm": [416], "novelsc": [416, 404], "unksm2": [400, 405],
        "bext01": [420], "invut": [415], "regaut01": [405], "multi01": [400], "mcl01": [400],
        "bcast": [nil], "zeromf": [nil], "cparam01": [405], "cparam02": [405], "regescrt": [405],
        "sdp01": [406, 400], "inv2543": [nil],
    ]

    @Test("expected.tsv lists the 49 messages with their sizes")
    func fixturesComplete() {
        #expect(TortureFixtures.cases.count == 49)
        for c in TortureFixtures.cases {
            #expect(c.bytes.count == c.size, "\(c.name) size")
            #expect(TortureTests.reactions[c.name] != nil, "\(c.name) has no expected reaction")
        }
    }

    @Test("parse column: yes parses, no is rejected, either parses or yields a 400", arguments: TortureFixtures.cases)
    func parseColumn(_ c: TortureCase) {
        let result = Result { () throws(SIPParseError) -> SIPMessage in try SIPParser().parseDatagram(c.bytes) }
        switch (c.parse, result) {
        case ("yes", .failure(let e)):
            Issue.record("\(c.name) must parse: \(e)")
        case ("either", .failure(let e)):
            #expect(e.canRespond, "\(c.name): a rejection must be answerable with 400")
            #expect(e.errorResponse()?.status == 400)
        case ("no", .success):
            // Syntactically fine but semantically invalid: the validator must reject it.
            let reaction = SIPRequestValidator().react(toDatagram: c.bytes)
            if case .process = reaction { Issue.record("\(c.name) must be rejected or dropped") }
        default:
            break
        }
    }

    @Test("UAS reaction matches the RFC", arguments: TortureFixtures.cases)
    func reaction(_ c: TortureCase) throws {
        let allowed = try #require(TortureTests.reactions[c.name])
        let reaction = SIPRequestValidator().react(toDatagram: c.bytes, toTag: "uas1")
        switch reaction {
        case .process:
            #expect(allowed.contains(nil), "\(c.name) processed, expected \(allowed)")
        case .respond(let response):
            #expect(allowed.contains(response.status), "\(c.name) answered \(response.status!), expected \(allowed)")
            // Every response serialises and frames; a 400 may echo the request's malformed
            // Via/From/To/CSeq verbatim (RFC 3261 §8.2.6 copies them), nothing else may be wrong.
            let bytes = SIPSerializer.bytes(response)
            #expect(bytes.starts(with: Array("SIP/2.0 \(response.status!) ".utf8)))
            do {
                let again = try SIPParser().parseDatagram(bytes)
                #expect(again.headers.contains("Via"))
                #expect(again.to == nil || again.to?.tag != nil || response.status == 100)
            } catch {
                guard case .malformedHeader = error.reason else {
                    Issue.record("\(c.name): response does not parse: \(error)")
                    return
                }
                #expect(response.status == 400)
            }
        case .drop:
            #expect(allowed.isEmpty, "\(c.name) dropped, expected \(allowed)")
        }
    }
}

extension TortureCase: CustomTestStringConvertible {
    var testDescription: String { name }
}
