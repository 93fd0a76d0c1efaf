import Testing
import NIOCore
import SIPCore

/// Deterministic random mutations of the torture messages: the parser, validator and stream
/// framer must never trap, and what they produce stays within the limits.
@Suite("Mutation fuzzing")
struct FuzzTests {
    /// SplitMix64: reproducible across platforms, no Foundation.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let interesting: [[UInt8]] = [
        Array("\r\n".utf8), Array(" ".utf8), Array(":".utf8), Array(";".utf8), Array(",".utf8), Array("%".utf8),
        Array("\"".utf8), Array("<".utf8), Array(">".utf8), Array("\r\n ".utf8), Array("\r\n\r\n".utf8),
        Array("Content-Length: 99999\r\n".utf8), Array("l: -1\r\n".utf8), [0], [0xFF], [0xC3],
        Array("Via: SIP/2.0/UDP [::1\r\n".utf8), Array("999999999999999999999".utf8),
    ]

    static func mutate(_ input: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = input
        for _ in 0...rng.below(4) {
            switch rng.below(6) {
            case 0 where !b.isEmpty:  // flip a byte
                b[rng.below(b.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
            case 1 where !b.isEmpty:  // truncate
                b.removeSubrange(rng.below(b.count)...)
            case 2:  // insert random bytes
                let at = rng.below(b.count + 1)
                b.insert(contentsOf: (0..<rng.below(8) + 1).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 3:  // insert a syntax-significant token
                b.insert(contentsOf: interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
            case 4 where !b.isEmpty:  // delete a range
                let start = rng.below(b.count)
                b.removeSubrange(start..<min(b.count, start + rng.below(16) + 1))
            case 5 where !b.isEmpty:  // duplicate a range (repeated headers)
                let start = rng.below(b.count)
                let slice = b[start..<min(b.count, start + rng.below(200) + 1)]
                b.insert(contentsOf: slice, at: rng.below(b.count + 1))
            default:
                break
            }
        }
        return b
    }

    @Test func datagramMutationsNeverBreakTheParser() throws {
        let limits = SIPParserLimits(maxMessageSize: 8_192, maxHeaderCount: 64, maxHeaderLength: 2_048)
        let parser = SIPParser(limits: limits)
        let validator = SIPRequestValidator()
        let seeds = TortureFixtures.cases.map(\.bytes)
        var rng = Rng(state: 4475)
        var parsed = 0, responded = 0, dropped = 0
        for _ in 0..<4_000 {
            let input = Self.mutate(seeds[rng.below(seeds.count)], &rng)
            switch validator.react(toDatagram: input, parser: parser, toTag: "fz") {
            case .process(let m):
                parsed += 1
                #expect(m.headers.count <= limits.maxHeaderCount)
                #expect(m.body.count <= input.count)
                #expect(m.headers.allSatisfy { $0.name.utf8.count + $0.value.utf8.count < limits.maxHeaderLength })
                // A parsed message serialises into something the parser accepts again.
                let again = Result { () throws(SIPParseError) in try SIPParser().parseDatagram(SIPSerializer.bytes(m)) }
                if case .failure(let e) = again { Issue.record("re-parse failed: \(e)") }
            case .respond(let r):
                responded += 1
                #expect(r.status.map { (400..<700).contains($0) } == true)
                _ = SIPSerializer.bytes(r)
            case .drop:
                dropped += 1
            }
        }
        // The mutations exercise all three outcomes.
        #expect(parsed > 100 && responded > 100 && dropped > 100, "\(parsed) \(responded) \(dropped)")
    }

    @Test func streamMutationsNeverBreakTheFramer() {
        let limits = SIPParserLimits(maxMessageSize: 8_192, maxHeaderCount: 64, maxHeaderLength: 2_048)
        var rng = Rng(state: 3261)
        let seeds = TortureFixtures.cases.map(\.bytes)
        for _ in 0..<300 {
            var framer = SIPStreamFramer(parser: SIPParser(limits: limits))
            var stream: [UInt8] = []
            for _ in 0..<4 { stream += Self.mutate(seeds[rng.below(seeds.count)], &rng) }
            var buffer = ByteBuffer()
            var i = 0
            feeding: while i < stream.count {
                let n = rng.below(200) + 1
                buffer.writeBytes(stream[i..<min(stream.count, i + n)])
                i += n
                while true {
                    do {
                        let before = buffer.readableBytes
                        let r = try framer.next(&buffer)
                        if r == .needMoreData { break }
                        #expect(buffer.readableBytes < before)
                    } catch {
                        if error.isFramingError { break feeding }  // the connection would be closed
                    }
                }
                #expect(buffer.readableBytes <= limits.maxMessageSize + 200)
                buffer.discardReadBytes()
            }
        }
    }

    @Test func limitsAreEnforced() {
        let limits = SIPParserLimits(maxMessageSize: 2_000, maxHeaderCount: 10, maxHeaderLength: 100)
        let parser = SIPParser(limits: limits)
        let base = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\n"
            + "To: <sip:a@b>\r\nCall-ID: abc\r\nCSeq: 1 OPTIONS\r\n"
        func reason(_ text: String) -> SIPParseError.Reason? {
            do { _ = try parser.parseDatagram(Array(text.utf8)); return nil } catch { return error.reason }
        }
        #expect(reason(base + "\r\n") == nil)
        #expect(reason(base + String(repeating: "X-A: 1\r\n", count: 10) + "\r\n") == .tooManyHeaders)
        #expect(reason(base + "X-Long: " + String(repeating: "a", count: 100) + "\r\n\r\n") == .headerTooLong)
        #expect(reason(base + "X-Fold: a\r\n" + String(repeating: " bbbbbbbbbb\r\n", count: 20) + "\r\n") == .headerTooLong)
        #expect(reason(base + "\r\n" + String(repeating: "z", count: 2_000)) == .messageTooLarge)
        #expect(reason("\r\n\r\n") == .empty)
        // An oversized request whose headers fit is answered 513; one whose headers do not is dropped.
        do {
            _ = try parser.parseDatagram(Array((base + "\r\n" + String(repeating: "z", count: 2_000)).utf8))
        } catch {
            #expect(error.errorResponse(toTag: "t")?.status == 513)
        }
        do {
            _ = try parser.parseDatagram(Array((base + "X: " + String(repeating: "z", count: 2_000)).utf8))
        } catch {
            #expect(error.reason == .messageTooLarge)
            #expect(!error.canRespond)
        }
    }
}
