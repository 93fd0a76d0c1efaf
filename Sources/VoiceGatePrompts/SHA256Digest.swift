import Crypto

/// SHA-256 (FIPS 180-4) as lowercase hex, for render-cache keys and prompt version hashes that
/// must be stable across runs and machines. Foundation on Linux has no digest API, so this
/// wraps swift-crypto's `SHA256` (BoringSSL on Linux, CryptoKit on Apple platforms).
public enum SHA256Digest {
    /// The 32-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: message))
    }

    /// The digest of `message` as 64 lowercase hex digits.
    public static func hex(_ message: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: digest(message).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// The digest of the UTF-8 bytes of `text` as hex.
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }
}
