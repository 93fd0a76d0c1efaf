import Crypto

/// Content hashes of prompt and menu versions: SHA-256 in lower-case hex (swift-crypto), the
/// same digest the prompt render cache uses, so one version reads the same everywhere.
enum ContentHash {
    /// The hex SHA-256 of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
