public import NIOCore

/// Parses SIP messages from bytes (RFC 3261 §7, with the liberal whitespace RFC 4475 demands).
///
/// Datagrams (UDP) are parsed whole with `parseDatagram`: Content-Length frames the body and any
/// octets after it are ignored (RFC 4475 dblreq); without Content-Length the body runs to the end
/// of the datagram (RFC 3261 §18.3, RFC 4475 inv2543). Streams (TCP/TLS) go through
/// `SIPStreamFramer`, which uses the same parser once a message is framed.
///
/// The parser never traps on input and allocates at most about the input size (see
/// `SIPParserLimits`). Failures are `SIPParseError` values that, for a request whose essential
/// headers were readable, carry them so the UAS can still answer 400.
///
/// Beyond the start line and header syntax, the parser checks the values of the headers the SIP
/// layers rely on — Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route,
/// Content-Length — so a message that parses has usable typed accessors for all of them.
/// Semantic checks (missing headers, duplicates, CSeq method, version, Require) belong to
/// `SIPRequestValidator`.
public struct SIPParser: Sendable {
    /// The limits applied to every message.
    public var limits: SIPParserLimits

    /// Creates a parser.
    public init(limits: SIPParserLimits = .default) {
        self.limits = limits
    }

    /// Parses one UDP datagram (the buffer's readable bytes; the buffer is not consumed).
    /// - Throws: `SIPParseError` when the datagram is not a valid message.
    public func parseDatagram(_ buffer: ByteBuffer) throws(SIPParseError) -> SIPMessage {
        try parseDatagram(Array(buffer.readableBytesView))
    }

    /// Parses one UDP datagram.
    /// - Throws: `SIPParseError` when the datagram is not a valid message.
    public func parseDatagram(_ bytes: [UInt8]) throws(SIPParseError) -> SIPMessage {
        try parse(bytes, framing: .datagram)
    }

    enum Framing { case datagram, stream }

    /// Start line, well-formed header fields, where the body starts, and the first problem met.
    struct Head {
        var startLine: SIPMessage.StartLine?
        var method: SIPMethod?
        var headers = SIPHeaders()
        var bodyStart = 0
        var sawBlankLine = false
        var problem: (SIPParseError.Reason, String)?

        mutating func note(_ reason: SIPParseError.Reason, _ detail: String) {
            if problem == nil { problem = (reason, detail) }
        }

        func error(_ reason: SIPParseError.Reason, _ detail: String) -> SIPParseError {
            SIPParseError(reason, detail, method: method, partialHeaders: method == nil ? nil : headers)
        }
    }

    func parse(_ bytes: [UInt8], framing: Framing) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageSize else {
            // Look only at the first maxMessageSize octets: if the whole header section is there,
            // the request can still be answered (513 Message Too Large, RFC 3261 §21.5.14).
            let head = scanHead(Array(bytes.prefix(limits.maxMessageSize)))
            let detail = "message of \(bytes.count) octets exceeds \(limits.maxMessageSize)"
            guard head.sawBlankLine, head.problem == nil else { throw SIPParseError(.messageTooLarge, detail) }
            throw head.error(.messageTooLarge, detail)
        }
        let head = scanHead(bytes)
        if let (reason, detail) = head.problem { throw head.error(reason, detail) }
        if let (reason, detail) = SIPParser.checkTypedHeaders(head.headers) { throw head.error(reason, detail) }
        guard let startLine = head.startLine else { throw head.error(.malformedStartLine, "no start line") }

        let declared = try contentLength(head)
        let available = bytes.count - head.bodyStart
        let length: Int
        switch framing {
        case .datagram:
            length = declared ?? available
        case .stream:
            guard let declared else { throw head.error(.missingContentLength, "Content-Length is mandatory on streams") }
            length = declared
        }
        guard length <= available else {
            throw head.error(.contentLengthExceedsData, "Content-Length \(length) but only \(available) octets follow")
        }
        let body = Array(bytes[head.bodyStart..<(head.bodyStart + length)])
        return SIPMessage(startLine: startLine, headers: head.headers, body: body)
    }

    /// The single Content-Length value, nil when absent.
    func contentLength(_ head: Head) throws(SIPParseError) -> Int? {
        let values = head.headers.values("Content-Length")
        guard let first = values.first else { return nil }
        guard values.count == 1 else {
            throw head.error(.multipleContentLength, "\(values.count) Content-Length fields")
        }
        guard let n = SIPSyntax.parseDecimal(Array(first.utf8), maximum: UInt64(Int32.max)) else {
            throw head.error(.invalidContentLength, "Content-Length is not a non-negative number")
        }
        return Int(n)
    }

    /// Splits the header section into the start line and unfolded header fields.
    /// The end of the bytes ends the header section when no empty line does (RFC 4475 baddn).
    func scanHead(_ bytes: [UInt8]) -> Head {
        var head = Head()
        let n = bytes.count
        var pos = 0
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        while pos < n, bytes[pos] == SIPSyntax.cr || bytes[pos] == SIPSyntax.lf { pos += 1 }
        guard pos < n else {
            head.note(.empty, "no message")
            head.bodyStart = n
            return head
        }
        var lines: [Range<Int>] = []
        head.bodyStart = n
        while pos < n {
            var lf = pos
            while lf < n, bytes[lf] != SIPSyntax.lf { lf += 1 }
            var end = lf
            if end > pos, bytes[end - 1] == SIPSyntax.cr { end -= 1 }
            let next = min(lf + 1, n)
            if end == pos {
                head.bodyStart = next
                head.sawBlankLine = true
                break
            }
            lines.append(pos..<end)
            pos = next
            // Bound the line table: folded fields may span several lines, but not without limit.
            if lines.count > limits.maxHeaderCount * 8 {
                head.note(.tooManyHeaders, "more than \(limits.maxHeaderCount * 8) header lines")
                return head
            }
        }

        parseStartLine(bytes[lines[0]], into: &head)

        var name: ArraySlice<UInt8> = []
        var value: [UInt8] = []
        var open = false
        var fieldCount = 0
        func flush(_ head: inout Head) {
            guard open else { return }
            open = false
            fieldCount += 1
            if fieldCount > limits.maxHeaderCount {
                head.note(.tooManyHeaders, "more than \(limits.maxHeaderCount) header fields")
                return
            }
            if name.count + 1 + value.count > limits.maxHeaderLength {
                head.note(.headerTooLong, "header field longer than \(limits.maxHeaderLength) octets")
                return
            }
            head.headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }
        for line in lines.dropFirst() {
            if fieldCount > limits.maxHeaderCount { break }
            let slice = bytes[line]
            if SIPSyntax.isWhitespace(slice[slice.startIndex]) {
                // Folded continuation (LWS = [*WSP CRLF] 1*WSP): joined with one SP.
                guard open else {
                    head.note(.malformedHeaderLine, "continuation line without a header")
                    continue
                }
                let more = SIPSyntax.trimmed(slice)
                if !more.isEmpty, value.count <= limits.maxHeaderLength {
                    if !value.isEmpty { value.append(SIPSyntax.space) }
                    value.append(contentsOf: more)
                }
                continue
            }
            flush(&head)
            guard let colon = slice.firstIndex(of: UInt8(ascii: ":")) else {
                head.note(.malformedHeaderLine, "header line without a colon")
                continue
            }
            let n = SIPSyntax.trimmed(slice[slice.startIndex..<colon])
            guard SIPSyntax.isToken(n) else {
                head.note(.malformedHeaderLine, "header name is not a token")
                continue
            }
            name = n
            value = Array(SIPSyntax.trimmed(slice[(colon + 1)...]))
            open = true
        }
        flush(&head)
        return head
    }

    private func parseStartLine(_ line: ArraySlice<UInt8>, into head: inout Head) {
        if line.count >= 4, SIPSyntax.asciiLowercased(String(decoding: line.prefix(4), as: UTF8.self)) == "sip/" {
            parseStatusLine(line, into: &head)
            return
        }
        // Request-Line. Liberal: runs of SP/HTAB separate elements and trailing ones are
        // ignored (RFC 4475 lwsstart, trws); anything else than three elements is rejected
        // (lwsruri: whitespace inside the Request-URI).
        let parts = SIPSyntax.trimmed(line).split(whereSeparator: SIPSyntax.isWhitespace)
        if let first = parts.first, SIPSyntax.isToken(first) {
            head.method = SIPMethod(String(decoding: first, as: UTF8.self))
        }
        guard parts.count == 3, head.method != nil else {
            head.note(.malformedStartLine, "request line must be Method SP Request-URI SP SIP-Version")
            return
        }
        guard let version = SIPParser.version(parts[2]) else {
            head.note(.malformedStartLine, "bad SIP-Version")
            return
        }
        guard let uri = SIPURI(bytes: Array(parts[1])) else {
            head.note(.malformedRequestURI, "Request-URI does not parse")
            return
        }
        head.startLine = .request(SIPRequestLine(method: head.method!, uri: uri, version: version))
    }

    private func parseStatusLine(_ line: ArraySlice<UInt8>, into head: inout Head) {
        var s = ByteScanner(Array(line))
        let v = s.read { !SIPSyntax.isWhitespace($0) }
        guard let version = SIPParser.version(v) else {
            head.note(.malformedStartLine, "bad SIP-Version")
            return
        }
        guard s.consume(SIPSyntax.space, lws: false) else {
            head.note(.malformedStartLine, "status line must be SIP-Version SP Status-Code SP Reason-Phrase")
            return
        }
        let digits = s.read(while: SIPSyntax.isDigit)
        guard digits.count == 3, let code = SIPSyntax.parseDecimal(digits, maximum: 699), code >= 100,
              s.isAtEnd || s.peek.map(SIPSyntax.isWhitespace) == true
        else {
            head.note(.invalidStatusCode, "status code must be three digits 100-699")
            return
        }
        let reason = SIPSyntax.trimmed(s.rest)
        head.startLine = .response(SIPStatusLine(status: Int(code), reason: String(decoding: reason, as: UTF8.self),
                                                  version: version))
    }

    /// `SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT`, "SIP" case-insensitive; returned with "SIP" uppercased.
    static func version<C: Collection<UInt8>>(_ bytes: C) -> String? {
        let b = Array(bytes)
        guard b.count >= 7, SIPSyntax.asciiLowercased(String(decoding: b[0..<4], as: UTF8.self)) == "sip/" else { return nil }
        let rest = b[4...]
        guard let dot = rest.firstIndex(of: UInt8(ascii: ".")), dot > 4, dot < b.count - 1,
              rest[..<dot].allSatisfy(SIPSyntax.isDigit), rest[(dot + 1)...].allSatisfy(SIPSyntax.isDigit)
        else { return nil }
        return "SIP/" + String(decoding: rest, as: UTF8.self)
    }

    /// Checks the values of the headers the SIP layers depend on; returns the first problem.
    static func checkTypedHeaders(_ headers: SIPHeaders) -> (SIPParseError.Reason, String)? {
        for field in headers {
            switch field.name {
            case "Via":
                for element in SIPSyntax.splitList(field.value) where SIPVia(element) == nil {
                    return (.malformedHeader("Via"), "malformed Via value")
                }
            case "From", "To":
                if SIPNameAddress(field.value) == nil {
                    return (.malformedHeader(field.name), "malformed \(field.name) value")
                }
            case "Route", "Record-Route":
                for element in SIPSyntax.splitList(field.value) where SIPNameAddress(element) == nil {
                    return (.malformedHeader(field.name), "malformed \(field.name) value")
                }
            case "Contact":
                if SIPContact(values: [field.value]) == nil {
                    return (.malformedHeader("Contact"), "malformed Contact value")
                }
            case "Call-ID":
                if field.value.isEmpty || field.value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
                    return (.malformedHeader("Call-ID"), "malformed Call-ID")
                }
            case "CSeq":
                if SIPCSeq(field.value) == nil {
                    return (.malformedHeader("CSeq"), "CSeq must be a number below 2^31 and a method")
                }
            case "Max-Forwards":
                if field.value.isEmpty || !field.value.utf8.allSatisfy(SIPSyntax.isDigit) {
                    return (.malformedHeader("Max-Forwards"), "Max-Forwards must be a number")
                }
            default:
                continue
            }
        }
        return nil
    }
}
