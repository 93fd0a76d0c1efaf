/// Builds responses to requests per RFC 3261 §8.2.6: the response copies every Via (in order),
/// From, To, Call-ID and CSeq of the request; the To gets a tag when the request's To has none
/// and one is given (every response except 100 Trying that can create a dialog needs it).
public enum SIPResponseBuilder {
    /// A response to `request`.
    /// - Parameters:
    ///   - request: the request being answered.
    ///   - status: the status code (100...699).
    ///   - reason: the reason phrase; the standard one for `status` when nil.
    ///   - toTag: the UAS's tag, added to To unless the request's To already has a tag
    ///     (never for 100 Trying, RFC 3261 §8.2.6.2).
    ///   - extraHeaders: further fields (Allow, Supported, Unsupported, Retry-After, Warning,
    ///     Contact ...), appended in order.
    ///   - body: the response body.
    public static func response(to request: SIPMessage, status: Int, reason: String? = nil, toTag: String? = nil,
                                extraHeaders: SIPHeaders = SIPHeaders(), body: [UInt8] = []) -> SIPMessage {
        response(toHeaders: request.headers, status: status, reason: reason, toTag: toTag,
                 extraHeaders: extraHeaders, body: body)
    }

    /// A response addressed from a request's header fields alone (also for requests that did not
    /// fully parse, see `SIPParseError.partialHeaders`). Fields that are missing are left out.
    public static func response(toHeaders requestHeaders: SIPHeaders, status: Int, reason: String? = nil,
                                toTag: String? = nil, extraHeaders: SIPHeaders = SIPHeaders(),
                                body: [UInt8] = []) -> SIPMessage {
        var headers = SIPHeaders()
        for field in requestHeaders where field.name == "Via" {
            headers.add(name: "Via", value: field.value)
        }
        if let from = requestHeaders["From"] { headers.add(name: "From", value: from) }
        if let to = requestHeaders["To"] {
            headers.add(name: "To", value: tagged(to, toTag: status == 100 ? nil : toTag))
        }
        if let callID = requestHeaders["Call-ID"] { headers.add(name: "Call-ID", value: callID) }
        if let cseq = requestHeaders["CSeq"] { headers.add(name: "CSeq", value: cseq) }
        // RFC 3261 §8.2.6.1: a 100 Trying copies Timestamp.
        if status == 100, let ts = requestHeaders["Timestamp"] { headers.add(name: "Timestamp", value: ts) }
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        return SIPMessage(status: status, reason: reason, headers: headers, body: body)
    }

    /// The To value with `;tag=toTag` appended, unless it already carries a tag or cannot be parsed.
    static func tagged(_ to: String, toTag: String?) -> String {
        guard let toTag, let parsed = SIPNameAddress(to), parsed.tag == nil else { return to }
        return to + ";tag=" + toTag
    }
}
