/// How the demo bank turns a PIN into what it stores: PBKDF2-HMAC-SHA-256 over the PIN's
/// UTF-8 bytes with a random per-customer salt. The PIN itself is never stored or logged.
enum PINHashing {
    /// Salt length in bytes (128 bits, as NIST SP 800-132 recommends at least).
    static let saltLength = 16

    /// A fresh random salt from the system's cryptographic generator.
    static func makeSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The stored hash of `pin` under `salt`.
    static func hash(pin: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        PBKDF2.sha256(password: Array(pin.utf8), salt: salt, iterations: iterations)
    }

    /// Whether `pin` matches a stored credential (constant-time comparison of the hashes).
    static func matches(pin: String, salt: [UInt8], iterations: Int, storedHash: [UInt8]) -> Bool {
        PBKDF2.constantTimeEqual(hash(pin: pin, salt: salt, iterations: iterations), storedHash)
    }

    /// Whether `text` is all ASCII digits with a length in `lengths` (last-4, PIN formats).
    static func isDigits(_ text: String, lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
