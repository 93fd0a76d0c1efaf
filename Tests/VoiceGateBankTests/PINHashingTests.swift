import Testing
@testable import VoiceGateBank

/// PIN hashing through `PINHashing`, which calls swift-crypto's PBKDF2-HMAC-SHA-256. Known
/// answers: RFC 7914 section 11 and the RFC 6070-style SHA-256 vectors; the stored-format vector
/// was produced both by Python's `hashlib.pbkdf2_hmac` and by the earlier hand-written Swift
/// PBKDF2, so credentials already written to demo databases still verify.
@Suite struct PINHashingTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
    }

    @Test func pbkdf2MatchesKnownVectors() throws {
        #expect(hex(try PINHashing.derive(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1,
                                          byteCount: 64))
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                 + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(hex(try PINHashing.derive(password: Array("password".utf8), salt: Array("salt".utf8),
                                          iterations: 4096, byteCount: 32))
                == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
        #expect(hex(try PINHashing.derive(password: Array("passwordPASSWORDpassword".utf8),
                                          salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8), iterations: 4096,
                                          byteCount: 40))
                == "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9")
    }

    @Test func storedHashFormatIsUnchanged() throws {
        let salt = (0..<UInt8(16)).map { $0 }
        let stored = try PINHashing.hash(pin: "1234", salt: salt, iterations: 1000)
        #expect(stored.count == PINHashing.hashLength)
        #expect(hex(stored) == "2240ea2a22754a3c4610356ef8e4d7acf25af2ac3d2d11866de97a8b7812c52c")
        #expect(try PINHashing.matches(pin: "1234", salt: salt, iterations: 1000, storedHash: stored))
        #expect(try !PINHashing.matches(pin: "1235", salt: salt, iterations: 1000, storedHash: stored))
        #expect(try !PINHashing.matches(pin: "1234", salt: salt, iterations: 999, storedHash: stored))
    }

    @Test func saltsAreFreshAndChangeTheHash() throws {
        let first = PINHashing.makeSalt(), second = PINHashing.makeSalt()
        #expect(first.count == PINHashing.saltLength)
        #expect(first != second)
        #expect(try PINHashing.hash(pin: "1234", salt: first, iterations: 10)
                != PINHashing.hash(pin: "1234", salt: second, iterations: 10))
    }

    @Test func impossibleIterationCountsThrowInsteadOfTrapping() {
        #expect(throws: (any Error).self) { try PINHashing.hash(pin: "1234", salt: [1], iterations: 0) }
        #expect(throws: (any Error).self) { try PINHashing.hash(pin: "1234", salt: [1], iterations: -5) }
    }

    @Test func constantTimeEqualityComparesWholeStrings() {
        #expect(PINHashing.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PINHashing.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PINHashing.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
