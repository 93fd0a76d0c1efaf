/// Why an offer or answer cannot be used. The caller rejects an INVITE offer with `statusCode`
/// (488 Not Acceptable Here, or 400 for an unparsable body) and a `Warning` header (RFC 3261 20.43);
/// a bad answer in an ACK ends the call with BYE instead (RFC 3261 13.3.1.4 leaves no other way).
public enum SDPNegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body did not parse.
    case malformed(SDPParseError)
    /// No `m=audio` with a non-zero port.
    case noAudioStream
    /// Audio only over transports we do not speak (e.g. `RTP/SAVP`, no SRTP here); the protos offered.
    case unsupportedTransport([String])
    /// Audio offered, but none of our codecs; the encodings offered, e.g. `["G729/8000"]`.
    case noCommonCodec(offered: [String])
    /// `accept(answer:)` without an offer of ours outstanding.
    case noOfferPending
    /// The answer does not fit our offer (wrong number of m-lines, unknown payload types, ...).
    case answerMismatch(String)

    /// The SIP final response for a rejected offer: 400 for a body we cannot read, 488 otherwise.
    public var statusCode: Int {
        if case .malformed = self { return 400 }
        return 488
    }

    /// RFC 3261 warn-code: 305 incompatible media format, 304 media type not available,
    /// 302 incompatible transport protocol, 399 miscellaneous.
    public var warningCode: Int {
        switch self {
        case .noCommonCodec: 305
        case .noAudioStream: 304
        case .unsupportedTransport: 302
        case .malformed, .noOfferPending, .answerMismatch: 399
        }
    }

    /// Human text for the Warning header.
    public var warningText: String {
        switch self {
        case .noCommonCodec: "Incompatible media format"
        case .noAudioStream: "Media type not available"
        case .unsupportedTransport: "Incompatible transport protocol"
        case .malformed(let error): "Malformed SDP: \(error.description)"
        case .noOfferPending: "No offer outstanding"
        case .answerMismatch(let reason): "SDP answer does not match offer: \(reason)"
        }
    }

    /// A complete `Warning` header value: `305 voicegate "Incompatible media format"`.
    /// Quotes and backslashes in the text are escaped (quoted-string, RFC 3261 25.1).
    public func warningHeaderValue(agent: String) -> String {
        var escaped = ""
        for character in warningText {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "\(warningCode) \(agent) \"\(escaped)\""
    }

    /// For logs.
    public var description: String {
        switch self {
        case .noCommonCodec(let offered): "no common codec (offered: \(offered.joined(separator: ", ")))"
        case .unsupportedTransport(let protos): "unsupported transport (offered: \(protos.joined(separator: ", ")))"
        default: warningText
        }
    }
}
