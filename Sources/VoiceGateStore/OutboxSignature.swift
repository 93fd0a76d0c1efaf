import Crypto

/// The signature of an outbox delivery: `sha256=` and the lower-case hex HMAC-SHA-256 of the
/// exact body under the shared secret (the `X-VoiceGate-Signature` header; docs/admin.md shows
/// how a receiver checks it). Here because the store already links swift-crypto.
public enum OutboxSignature {
    /// The header value for `body` signed with `secret`.
    public static func header(secret: String, body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
