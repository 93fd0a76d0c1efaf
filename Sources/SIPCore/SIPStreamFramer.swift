public import NIOCore

/// Frames SIP messages on a stream transport (TCP/TLS), in the style of NIO's
/// `ByteToMessageDecoder`: feed the connection's buffer, get `.needMoreData` or one message.
///
/// The header section ends at the first empty line; Content-Length is mandatory on streams
/// (RFC 3261 §18.3) and frames the body. CRLF keep-alives between messages (RFC 5626 §3.5.1)
/// are consumed and reported. Memory stays bounded: a header section or message larger than
/// `SIPParserLimits.maxMessageSize` is an error instead of more buffering.
///
/// Errors: when `SIPParseError.isFramingError` is true the stream cannot be resynchronised and
/// the connection must be closed (after a 400 if `canRespond`); otherwise the bad message has
/// been consumed and decoding can go on.
public struct SIPStreamFramer: Sendable {
    /// What one decoding step produced.
    public enum Result: Sendable, Hashable {
        /// The buffer does not yet hold a whole message; call again when more bytes arrive.
        case needMoreData
        /// A CRLF keep-alive was consumed: `"\r\n\r\n"` (a ping: answer `"\r\n"`) or `"\r\n"` (a pong).
        case keepAlive(ping: Bool)
        /// One complete message, consumed from the buffer.
        case message(SIPMessage)
    }

    /// The parser (and its limits) used for framed messages.
    public let parser: SIPParser
    /// Offset up to which the buffer was already searched for the end of the header section.
    private var scanned = 0
    /// Header section length and Content-Length once known, for the message being received.
    private var framed: (headerLength: Int, bodyLength: Int)?

    /// Creates a framer.
    public init(parser: SIPParser = SIPParser()) {
        self.parser = parser
    }

    /// Decodes at most one message or keep-alive from the front of `buffer`, consuming it.
    /// - Throws: `SIPParseError`; see the type's documentation for what to do with it.
    public mutating func next(_ buffer: inout ByteBuffer) throws(SIPParseError) -> Result {
        let view = buffer.readableBytesView
        guard let first = view.first else { return .needMoreData }
        if framed == nil, first == SIPSyntax.cr || first == SIPSyntax.lf {
            return keepAlive(&buffer)
        }
        if framed == nil {
            guard let end = headerEnd(view) else {
                if view.count > parser.limits.maxMessageSize {
                    reset()
                    throw SIPParseError(.messageTooLarge, "header section exceeds \(parser.limits.maxMessageSize) octets")
                }
                scanned = max(0, view.count - 3)
                return .needMoreData
            }
            let headBytes = Array(view.prefix(end))
            let head = parser.scanHead(headBytes)
            if let (reason, detail) = head.problem, reason == .tooManyHeaders || reason == .headerTooLong {
                reset()
                throw head.error(reason, detail)
            }
            let declared: Int?
            do {
                declared = try parser.contentLength(head)
            } catch {
                reset()
                throw error
            }
            guard let declared else {
                reset()
                throw head.error(.missingContentLength, "Content-Length is mandatory on streams")
            }
            guard end + declared <= parser.limits.maxMessageSize else {
                reset()
                throw head.error(.messageTooLarge, "message exceeds \(parser.limits.maxMessageSize) octets")
            }
            framed = (end, declared)
        }
        guard let (headerLength, bodyLength) = framed, view.count >= headerLength + bodyLength else {
            return .needMoreData
        }
        let bytes = Array(view.prefix(headerLength + bodyLength))
        buffer.moveReaderIndex(forwardBy: headerLength + bodyLength)
        reset()
        return .message(try parser.parse(bytes, framing: .stream))
    }

    private mutating func reset() {
        scanned = 0
        framed = nil
    }

    /// Consumes leading CR/LF octets between messages.
    private mutating func keepAlive(_ buffer: inout ByteBuffer) -> Result {
        let view = buffer.readableBytesView
        let crlf = Array(view.prefix(4))
        if crlf == [SIPSyntax.cr, SIPSyntax.lf, SIPSyntax.cr, SIPSyntax.lf] {
            buffer.moveReaderIndex(forwardBy: 4)
            return .keepAlive(ping: true)
        }
        if crlf.count < 4, crlf.allSatisfy({ $0 == SIPSyntax.cr || $0 == SIPSyntax.lf }),
           crlf == Array([SIPSyntax.cr, SIPSyntax.lf, SIPSyntax.cr].prefix(crlf.count)) {
            return .needMoreData  // could still become a ping
        }
        // A pong, or stray line ends: drop the leading run of CR/LF.
        var n = 0
        for b in view {
            guard b == SIPSyntax.cr || b == SIPSyntax.lf else { break }
            n += 1
            if n == 2 { break }
        }
        buffer.moveReaderIndex(forwardBy: n)
        return .keepAlive(ping: false)
    }

    /// Index just past the empty line ending the header section (CRLFCRLF, or LFLF).
    private mutating func headerEnd(_ view: ByteBufferView) -> Int? {
        var i = view.startIndex + scanned
        let end = view.endIndex
        while i < end {
            if view[i] == SIPSyntax.lf {
                if i + 1 < end, view[i + 1] == SIPSyntax.lf { return i + 2 - view.startIndex }
                if i + 2 < end, view[i + 1] == SIPSyntax.cr, view[i + 2] == SIPSyntax.lf {
                    return i + 3 - view.startIndex
                }
            }
            i += 1
        }
        return nil
    }
}
