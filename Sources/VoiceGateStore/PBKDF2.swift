import Crypto
import _CryptoExtras

/// PBKDF2-HMAC-SHA-256 (RFC 8018) by swift-crypto (BoringSSL on Linux), the one place stored
/// secrets are stretched: the demo bank's PINs (VoiceGateBank's `PINHashing`) and the console's
/// user passwords (`CallStore+Admin`). Shared so both use the same, reviewed code.
public enum PBKDF2 {
    /// Salt length in bytes (128 bits, as NIST SP 800-132 recommends at least).
    public static let saltLength = 16

    /// A fresh random salt of `byteCount` bytes from the system's cryptographic generator.
    public static func makeSalt(byteCount: Int = saltLength) -> [UInt8] {
        randomBytes(byteCount)
    }

    /// `byteCount` bytes from the system's cryptographic generator (salts, tokens, session ids).
    public static func randomBytes(_ byteCount: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// PBKDF2-HMAC-SHA-256 of `password`. Uses the library's unchecked-rounds entry point because
    /// its checked one refuses fewer than 210,000 rounds, while PINs use 20,000 (a 4–12 digit PIN
    /// gains little from more, and every call pays it) and tests use fewer still. Throws for an
    /// iteration count outside 1...2³²−1 (only a damaged row can hold one) or a library failure.
    public static func derive(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) throws -> [UInt8] {
        guard (1...Int(UInt32.max)).contains(iterations), byteCount >= 1 else {
            throw CryptoKitError.incorrectParameterSize
        }
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: byteCount,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares two byte strings without an early exit, so timing leaks no prefix of a stored
    /// hash (swift-crypto's own `safeCompare` is internal to the library).
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<lhs.count { difference |= lhs[i] ^ rhs[i] }
        return difference == 0
    }
}
