import Crypto
import _CryptoExtras

/// How the demo bank turns a PIN into what it stores: PBKDF2-HMAC-SHA-256 (RFC 8018) over the
/// PIN's UTF-8 bytes with a random per-customer salt, computed by swift-crypto (BoringSSL on
/// Linux) rather than hand-written code. The PIN itself is never stored or logged.
enum PINHashing {
    /// Salt length in bytes (128 bits, as NIST SP 800-132 recommends at least).
    static let saltLength = 16
    /// Stored hash length in bytes: one SHA-256 output, as every stored credential has.
    static let hashLength = 32

    /// A fresh random salt from the system's cryptographic generator.
    static func makeSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The stored hash of `pin` under `salt`. Throws for an iteration count outside 1...2³²−1
    /// (only a damaged database row can hold one) or if the library fails.
    static func hash(pin: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        try derive(password: Array(pin.utf8), salt: salt, iterations: iterations, byteCount: hashLength)
    }

    /// PBKDF2-HMAC-SHA-256 of `password`; `hash(pin:…)` is this with the stored length. Uses the
    /// library's unchecked-rounds entry point because its checked one refuses fewer than 210,000
    /// rounds, while stored credentials use 20,000 (a 4–12 digit PIN gains little from more,
    /// and every call pays it) and tests use fewer still.
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) throws -> [UInt8] {
        guard (1...Int(UInt32.max)).contains(iterations), byteCount >= 1 else {
            throw CryptoKitError.incorrectParameterSize
        }
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: byteCount,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Whether `pin` matches a stored credential. The comparison takes time that depends only
    /// on the lengths, so that timing leaks no prefix of the stored hash.
    static func matches(pin: String, salt: [UInt8], iterations: Int, storedHash: [UInt8]) throws -> Bool {
        constantTimeEqual(try hash(pin: pin, salt: salt, iterations: iterations), storedHash)
    }

    /// Compares two byte strings without an early exit (swift-crypto's own `safeCompare` is
    /// internal to the library, so this small loop stays here).
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<lhs.count { difference |= lhs[i] ^ rhs[i] }
        return difference == 0
    }

    /// Whether `text` is all ASCII digits with a length in `lengths` (last-4, PIN formats).
    static func isDigits(_ text: String, lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
