import Foundation
import Testing
import VoiceGateDSP

/// G.711 must be bit-exact: a carrier's gateway, a PBX and VoiceGate must agree on every code.
/// The reference is Python's `audioop` (see scripts/make-g711-fixtures.py for the layout).
@Suite struct G711Tests {
    /// The fixture's four sections.
    struct Reference {
        var ulawCodes: [UInt8]  // index = Int(sample) + 32768
        var alawCodes: [UInt8]
        var ulawDecoded: [Int16]  // index = code
        var alawDecoded: [Int16]
    }

    static func loadReference() throws -> Reference {
        let url = try #require(
            Bundle.module.url(forResource: "g711_reference", withExtension: "bin", subdirectory: "Fixtures"),
            "g711_reference.bin missing: run python3 scripts/make-g711-fixtures.py")
        let bytes = [UInt8](try Data(contentsOf: url))
        try #require(bytes.count == 65536 * 2 + 512 * 2, "fixture has \(bytes.count) bytes")
        func int16s(_ start: Int) -> [Int16] {
            (0..<256).map { Int16(bitPattern: UInt16(bytes[start + 2 * $0]) | UInt16(bytes[start + 2 * $0 + 1]) << 8) }
        }
        return Reference(
            ulawCodes: Array(bytes[0..<65536]),
            alawCodes: Array(bytes[65536..<131072]),
            ulawDecoded: int16s(131072),
            alawDecoded: int16s(131072 + 512))
    }

    static let everySample: [Int16] = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }

    @Test func ulawEncodeMatchesReferenceForEveryInput() throws {
        let ref = try Self.loadReference()
        var mismatches: [String] = []
        for s in Self.everySample {
            let got = G711.ulawEncode(s), want = ref.ulawCodes[Int(s) + 32768]
            if got != want && mismatches.count < 10 { mismatches.append("\(s): got \(got) want \(want)") }
        }
        #expect(mismatches.isEmpty, "μ-law encode differs: \(mismatches)")
    }

    @Test func alawEncodeMatchesReferenceForEveryInput() throws {
        let ref = try Self.loadReference()
        var mismatches: [String] = []
        for s in Self.everySample {
            let got = G711.alawEncode(s), want = ref.alawCodes[Int(s) + 32768]
            if got != want && mismatches.count < 10 { mismatches.append("\(s): got \(got) want \(want)") }
        }
        #expect(mismatches.isEmpty, "A-law encode differs: \(mismatches)")
    }

    @Test func decodeMatchesReferenceForEveryCode() throws {
        let ref = try Self.loadReference()
        for code in 0...255 {
            #expect(G711.ulawDecode(UInt8(code)) == ref.ulawDecoded[code], "μ-law code \(code)")
            #expect(G711.alawDecode(UInt8(code)) == ref.alawDecoded[code], "A-law code \(code)")
        }
    }

    /// Every code is a reconstruction level, and encoding a level gives back its code, except
    /// μ-law's two zeros: 0xFF (+0) and 0x7F (−0) both decode to 0, and 0 is non-negative, so it
    /// encodes to 0xFF. A-law has no negative zero (its smallest levels are ±8), so all 256 return.
    @Test func encodeOfDecodeIsIdentityExceptMuLawNegativeZero() {
        for code in 0...255 {
            let c = UInt8(code)
            if c == 0x7F {
                #expect(G711.ulawDecode(c) == 0)
                #expect(G711.ulawEncode(G711.ulawDecode(c)) == 0xFF)
            } else {
                #expect(G711.ulawEncode(G711.ulawDecode(c)) == c, "μ-law code \(code)")
            }
            #expect(G711.alawEncode(G711.alawDecode(c)) == c, "A-law code \(code)")
        }
    }

    /// The buffer variants must give exactly what the scalar ones give, over every input.
    @Test func bufferVariantsMatchScalarOnes() throws {
        let ref = try Self.loadReference()
        var ulaw = [UInt8](repeating: 0, count: 65536)
        var alaw = [UInt8](repeating: 0, count: 65536)
        Self.everySample.withUnsafeBufferPointer { input in
            ulaw.withUnsafeMutableBufferPointer { G711.ulawEncode(input, into: $0) }
            alaw.withUnsafeMutableBufferPointer { G711.alawEncode(input, into: $0) }
        }
        #expect(ulaw == ref.ulawCodes)
        #expect(alaw == ref.alawCodes)

        let codes = (0...255).map { UInt8($0) }
        var ulawPCM = [Int16](repeating: 0, count: 256)
        var alawPCM = [Int16](repeating: 0, count: 256)
        codes.withUnsafeBufferPointer { input in
            ulawPCM.withUnsafeMutableBufferPointer { G711.ulawDecode(input, into: $0) }
            alawPCM.withUnsafeMutableBufferPointer { G711.alawDecode(input, into: $0) }
        }
        #expect(ulawPCM == ref.ulawDecoded)
        #expect(alawPCM == ref.alawDecoded)
    }

    /// A larger output buffer is allowed; only the first `input.count` entries are written.
    @Test func bufferVariantsLeaveTheRestOfALargerOutputAlone() {
        let input: [Int16] = [0, 1000, -1000]
        var out = [UInt8](repeating: 0xAA, count: 5)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { G711.ulawEncode(i, into: $0) } }
        #expect(Array(out[0..<3]) == input.map(G711.ulawEncode))
        #expect(out[3] == 0xAA && out[4] == 0xAA)
    }
}
