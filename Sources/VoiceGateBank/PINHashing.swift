import VoiceGateStore

/// How the demo bank turns a PIN into what it stores: PBKDF2-HMAC-SHA-256 (RFC 8018) over the
/// PIN's UTF-8 bytes with a random per-customer salt, computed by swift-crypto through the
/// shared `PBKDF2` of VoiceGateStore (the console's passwords use the same code). The PIN itself is never stored or logged.
enum PINHashing {
    /// Salt length in bytes (128 bits, as NIST SP 800-132 recommends at least).
    static let saltLength = 16
    /// Stored hash length in bytes: one SHA-256 output, as every stored credential has.
    static let hashLength = 32

    /// A fresh random salt from the system's cryptographic generator.
    static func makeSalt() -> [UInt8] { PBKDF2.makeSalt(byteCount: saltLength) }

    /// The stored hash of `pin` under `salt`. Throws for an iteration count outside 1...2³²−1
    /// (only a damaged database row can hold one) or if the library fails.
    static func hash(pin: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        try derive(password: Array(pin.utf8), salt: salt, iterations: iterations, byteCount: hashLength)
    }

    /// PBKDF2-HMAC-SHA-256 of `password` (the shared `PBKDF2` of VoiceGateStore); `hash(pin:…)`
    /// is this with the stored length.
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) throws -> [UInt8] {
        try PBKDF2.derive(password: password, salt: salt, iterations: iterations, byteCount: byteCount)
    }

    /// Whether `pin` matches a stored credential. The comparison takes time that depends only
    /// on the lengths, so that timing leaks no prefix of the stored hash.
    static func matches(pin: String, salt: [UInt8], iterations: Int, storedHash: [UInt8]) throws -> Bool {
        constantTimeEqual(try hash(pin: pin, salt: salt, iterations: iterations), storedHash)
    }

    /// Compares two byte strings without an early exit (the shared `PBKDF2.constantTimeEqual`).
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool { PBKDF2.constantTimeEqual(lhs, rhs) }

    /// Whether `text` is all ASCII digits with a length in `lengths` (last-4, PIN formats).
    static func isDigits(_ text: String, lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
