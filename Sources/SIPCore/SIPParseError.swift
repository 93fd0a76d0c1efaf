/// Why a message could not be parsed, as a value. When the message was a request whose Via,
/// From, To, Call-ID and CSeq header fields were present, `partialHeaders` holds every
/// well-formed field so that the UAS can still address a 400 response (RFC 3261 §8.2.6);
/// otherwise the message is dropped.
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: Sendable, Hashable {
        /// No bytes (or only CRLFs) in a datagram.
        case empty
        /// The message (or, on a stream, the header section) exceeds `SIPParserLimits.maxMessageSize`.
        case messageTooLarge
        /// More header field lines than `SIPParserLimits.maxHeaderCount`.
        case tooManyHeaders
        /// One unfolded header field longer than `SIPParserLimits.maxHeaderLength`.
        case headerTooLong
        /// The request or status line does not follow the grammar.
        case malformedStartLine
        /// The Request-URI is not a URI (e.g. `<sip:...>` or with embedded whitespace).
        case malformedRequestURI
        /// The status code is not three digits in 100...699 (RFC 4475 bigcode).
        case invalidStatusCode
        /// A header line has no colon or a non-token name, or a continuation line has nothing to continue.
        case malformedHeaderLine
        /// A header the SIP layer relies on has an invalid value (name attached).
        case malformedHeader(String)
        /// Content-Length is not a non-negative decimal number (RFC 4475 ncl).
        case invalidContentLength
        /// More than one Content-Length (RFC 4475 mcl01).
        case multipleContentLength
        /// Content-Length promises more octets than the datagram holds (RFC 4475 clerr).
        case contentLengthExceedsData
        /// A message on a stream transport has no Content-Length (RFC 3261 §18.3).
        case missingContentLength
    }

    /// The kind of failure.
    public var reason: Reason
    /// Human-readable detail (safe to put in a Warning or a log; never contains the message body).
    public var detail: String
    /// The request method when the request line could be read.
    public var method: SIPMethod?
    /// Well-formed header fields of a request, for addressing an error response.
    public var partialHeaders: SIPHeaders?

    /// Creates an error.
    public init(_ reason: Reason, _ detail: String, method: SIPMethod? = nil, partialHeaders: SIPHeaders? = nil) {
        self.reason = reason
        self.detail = detail
        self.method = method
        self.partialHeaders = partialHeaders
    }

    /// True when a response can be addressed: the message was a request other than ACK and the
    /// Via, From, To, Call-ID and CSeq fields were present. Otherwise the message is dropped.
    public var canRespond: Bool {
        guard let h = partialHeaders, let method, method != .ack else { return false }
        return ["Via", "From", "To", "Call-ID", "CSeq"].allSatisfy(h.contains)
    }

    /// On a stream transport, true when the byte stream can no longer be framed and the
    /// connection must be closed (RFC 3261 §18.3 / RFC 4475 ncl, mcl01).
    public var isFramingError: Bool {
        switch reason {
        case .messageTooLarge, .tooManyHeaders, .headerTooLong, .invalidContentLength,
             .multipleContentLength, .missingContentLength:
            return true
        default:
            return false
        }
    }

    /// `reason: detail`.
    public var description: String { "\(reason): \(detail)" }

    /// The response the UAS should send: 400 Bad Request (513 Message Too Large for an
    /// oversized message) addressed from `partialHeaders`, or nil when the message must be dropped.
    public func errorResponse(toTag: String? = nil) -> SIPMessage? {
        guard canRespond, let partialHeaders else { return nil }
        let status = reason == .messageTooLarge ? 513 : 400
        return SIPResponseBuilder.response(toHeaders: partialHeaders, status: status,
                                           reason: status == 400 ? "Bad Request - \(shortDetail)" : nil,
                                           toTag: toTag)
    }

    /// Detail restricted to printable ASCII and a sane length, for a reason phrase.
    private var shortDetail: String {
        let printable = detail.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }
        return String(String.UnicodeScalarView(printable.prefix(80)))
    }
}
