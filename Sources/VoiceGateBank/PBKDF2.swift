/// HMAC-SHA-256 (RFC 2104) and PBKDF2-HMAC-SHA-256 (RFC 8018): a salted, deliberately slow
/// hash so that a stolen demo database does not give away 4-digit PINs for free.
public enum PBKDF2 {
    /// HMAC with the key already absorbed into the inner and outer hashers, so that each
    /// PBKDF2 iteration costs two compressions instead of re-hashing the key every time.
    private struct KeyedHMAC {
        let inner: SHA256
        let outer: SHA256

        init(key: [UInt8]) {
            var keyBlock = key.count > SHA256.blockLength ? SHA256.hash(key) : key
            keyBlock += [UInt8](repeating: 0, count: SHA256.blockLength - keyBlock.count)
            var inner = SHA256()
            inner.update(keyBlock.map { $0 ^ 0x36 })
            var outer = SHA256()
            outer.update(keyBlock.map { $0 ^ 0x5c })
            self.inner = inner
            self.outer = outer
        }

        func authenticate(_ message: [UInt8]) -> [UInt8] {
            var innerHasher = inner
            innerHasher.update(message)
            var outerHasher = outer
            outerHasher.update(innerHasher.finalize())
            return outerHasher.finalize()
        }
    }

    /// HMAC-SHA-256 of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        KeyedHMAC(key: key).authenticate(message)
    }

    /// PBKDF2-HMAC-SHA-256 of `password` with `salt`, `iterations` rounds, `keyLength` bytes out.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int = 32) -> [UInt8] {
        precondition(iterations >= 1 && keyLength >= 1, "PBKDF2 needs at least one iteration and one byte")
        let hmac = KeyedHMAC(key: password)
        var derived = [UInt8]()
        derived.reserveCapacity(keyLength)
        var blockIndex: UInt32 = 1
        while derived.count < keyLength {
            let indexBytes: [UInt8] = [
                UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex),
            ]
            var u = hmac.authenticate(salt + indexBytes)
            var block = u
            var round = 1
            while round < iterations {
                u = hmac.authenticate(u)
                for i in 0..<block.count { block[i] ^= u[i] }
                round += 1
            }
            derived += block.prefix(keyLength - derived.count)
            blockIndex += 1
        }
        return derived
    }

    /// Compares two byte strings in time that depends only on their lengths, so that a hash
    /// comparison leaks no prefix information.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<lhs.count { difference |= lhs[i] ^ rhs[i] }
        return difference == 0
    }
}
