import Testing
import VoiceGateBank

/// Known-answer tests: FIPS 180-4 examples for SHA-256, RFC 4231 for HMAC, RFC 7914 and
/// RFC 6070-style vectors for PBKDF2-HMAC-SHA-256. A wrong rotation or padding fails them all.
@Suite struct SHA256Tests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
    }

    @Test func digestsOfKnownMessages() {
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func streamingInUnevenChunksEqualsOneShot() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var hasher = SHA256()
        var offset = 0
        for chunk in [1, 63, 64, 65, 7, 300, 500] {
            hasher.update(Array(message[offset..<(offset + chunk)]))
            offset += chunk
        }
        #expect(offset == message.count)
        let streamed = hasher.finalize()
        #expect(streamed == SHA256.hash(message))
        #expect(hex(streamed) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func hmacMatchesRFC4231() {
        #expect(hex(PBKDF2.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // A key longer than one block is hashed first.
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(hex(PBKDF2.hmacSHA256(key: longKey, message: message))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func pbkdf2MatchesKnownVectors() {
        #expect(hex(PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1,
                                  keyLength: 64))
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                 + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(hex(PBKDF2.sha256(password: Array("password".utf8), salt: Array("salt".utf8), iterations: 4096))
                == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
        #expect(hex(PBKDF2.sha256(password: Array("passwordPASSWORDpassword".utf8),
                                  salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8), iterations: 4096,
                                  keyLength: 40))
                == "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9")
    }

    @Test func constantTimeEqualityComparesWholeStrings() {
        #expect(PBKDF2.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PBKDF2.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PBKDF2.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
