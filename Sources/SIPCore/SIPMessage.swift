/// A SIP request or response (RFC 3261 §7): start line, ordered header fields, body bytes.
///
/// A value type: parsing produces one, transactions and dialogs read it, the serializer turns it
/// back into bytes. Typed accessors (`via`, `from`, `cSeq`, ...) parse header values on demand
/// and return nil when a header is absent or malformed, so they never trap.
public struct SIPMessage: Sendable, Hashable {
    /// Request line or status line.
    public enum StartLine: Sendable, Hashable {
        /// `Method Request-URI SIP-Version`.
        case request(SIPRequestLine)
        /// `SIP-Version Status-Code Reason-Phrase`.
        case response(SIPStatusLine)
    }

    /// The start line.
    public var startLine: StartLine
    /// The header fields in order.
    public var headers: SIPHeaders
    /// The body, exactly the octets framed by Content-Length (may contain NULs, CR, LF).
    public var body: [UInt8]

    /// Creates a message.
    public init(startLine: StartLine, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// Creates a request.
    public init(method: SIPMethod, uri: SIPURI, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.init(startLine: .request(SIPRequestLine(method: method, uri: uri)), headers: headers, body: body)
    }

    /// Creates a response.
    public init(status: Int, reason: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.init(startLine: .response(SIPStatusLine(status: status, reason: reason ?? SIPStatus.reasonPhrase(for: status))),
                  headers: headers, body: body)
    }

    /// True for requests.
    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    /// The request line, for requests.
    public var requestLine: SIPRequestLine? {
        if case .request(let r) = startLine { return r }
        return nil
    }

    /// The status line, for responses.
    public var statusLine: SIPStatusLine? {
        if case .response(let r) = startLine { return r }
        return nil
    }

    /// The request method, for requests.
    public var method: SIPMethod? { requestLine?.method }

    /// The status code, for responses.
    public var status: Int? { statusLine?.status }
}

/// `Method SP Request-URI SP SIP-Version`.
public struct SIPRequestLine: Sendable, Hashable {
    /// The method token.
    public var method: SIPMethod
    /// The Request-URI (any scheme; the validator answers 416 for unsupported ones).
    public var uri: SIPURI
    /// The protocol version as received, e.g. `SIP/2.0` (uppercased `SIP`).
    public var version: String

    /// Creates a request line (version defaults to SIP/2.0).
    public init(method: SIPMethod, uri: SIPURI, version: String = SIPStatusLine.sip20) {
        self.method = method
        self.uri = uri
        self.version = version
    }
}

/// `SIP-Version SP Status-Code SP Reason-Phrase`.
public struct SIPStatusLine: Sendable, Hashable {
    /// The only version this implementation speaks.
    public static let sip20 = "SIP/2.0"

    /// The protocol version as received.
    public var version: String
    /// Three-digit status code, 100...699.
    public var status: Int
    /// The reason phrase (may be empty, may be any UTF-8: RFC 4475 noreason, unreason).
    public var reason: String

    /// Creates a status line (version defaults to SIP/2.0).
    public init(status: Int, reason: String, version: String = SIPStatusLine.sip20) {
        self.version = version
        self.status = status
        self.reason = reason
    }
}
