public import NIOCore

/// The UAS checks of RFC 3261 §8.2 as a pure function of a parsed request: accept it, reject it
/// with a ready-made response, or discard it silently. Run it after `SIPParser` and before the
/// transaction layer. Order follows §8.2: version, mandatory headers, method (405/501),
/// CSeq, Request-URI scheme (416), Max-Forwards (483), Require (420), content (415/406).
public struct SIPRequestValidator: Sendable {
    /// Methods this UAS implements; listed in Allow on 405 and 501.
    public var allowedMethods: [SIPMethod]
    /// Option tags this UAS supports; any other tag in Require gets 420.
    public var supportedExtensions: Set<String>
    /// Request-URI schemes accepted (lowercase); others get 416.
    public var supportedURISchemes: Set<String>
    /// Body types accepted (lowercase `type/subtype`); a request with a body of another type
    /// gets 415 with Accept, and an INVITE whose Accept excludes all of them gets 406.
    /// Nil disables both checks.
    public var acceptedContentTypes: [String]?
    /// When true (the default) a request other than OPTIONS with Max-Forwards 0 gets 483 Too Many
    /// Hops. RFC 4475 zeromf: an endpoint may instead process it; OPTIONS is always processed.
    public var rejectsZeroMaxForwards: Bool

    /// Creates a validator; the defaults describe the VoiceGate UAS.
    public init(allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options, .info, .refer, .notify,
                                               .prack, .update],
                supportedExtensions: Set<String> = ["replaces", "timer", "100rel", "norefersub"],
                supportedURISchemes: Set<String> = ["sip", "sips", "tel"],
                acceptedContentTypes: [String]? = ["application/sdp", "application/dtmf-relay", "application/dtmf",
                                                   "message/sipfrag"],
                rejectsZeroMaxForwards: Bool = true) {
        self.allowedMethods = allowedMethods
        self.supportedExtensions = supportedExtensions
        self.supportedURISchemes = supportedURISchemes
        self.acceptedContentTypes = acceptedContentTypes
        self.rejectsZeroMaxForwards = rejectsZeroMaxForwards
    }

    /// What to do with a request.
    public enum Verdict: Sendable, Hashable {
        /// The request passed every check; hand it to the transaction layer.
        case accept
        /// Send this response (statelessly) and do nothing else.
        case reject(SIPMessage)
        /// Drop without answering (ACKs are never answered), with the reason for logs/metrics.
        case discard(String)
    }

    /// The `Allow` value listing `allowedMethods`.
    public var allowValue: String { allowedMethods.map(\.rawValue).joined(separator: ", ") }

    /// Validates a request. Responses always `.accept` (they belong to client transactions).
    /// - Parameters:
    ///   - request: the parsed message.
    ///   - toTag: the tag for the To of a rejection response.
    public func validate(_ request: SIPMessage, toTag: String? = nil) -> Verdict {
        guard let line = request.requestLine else { return .accept }
        let method = line.method
        func reject(_ status: Int, _ reason: String? = nil, _ extra: KeyValuePairs<String, String> = [:]) -> Verdict {
            if method == .ack { return .discard("invalid ACK: \(status) \(reason ?? SIPStatus.reasonPhrase(for: status))") }
            return .reject(SIPResponseBuilder.response(to: request, status: status, reason: reason, toTag: toTag,
                                                       extraHeaders: SIPHeaders(extra)))
        }
        let h = request.headers

        // §8.2 / §21.5.6: only SIP/2.0 is spoken.
        guard line.version == SIPStatusLine.sip20 else { return reject(505) }

        // Mandatory headers (§8.1.1) and single-valued ones that appear twice (RFC 4475 insuf, multi01).
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] where !h.contains(name) {
            return reject(400, "Bad Request - Missing \(name)")
        }
        for name in ["From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length"] where h.values(name).count > 1 {
            return reject(400, "Bad Request - Multiple \(name)")
        }
        guard let cseq = request.cSeq else { return reject(400, "Bad Request - Malformed CSeq") }

        // §8.2.1 method inspection: known but not here → 405, unknown → 501; both list Allow.
        if !allowedMethods.contains(method) {
            return reject(SIPMethod.standard.contains(method) ? 405 : 501, nil, ["Allow": allowValue])
        }
        // RFC 4475 mismatch01: the CSeq method must be the request's.
        guard cseq.method == method else { return reject(400, "Bad Request - CSeq method mismatch") }

        // §8.2.2.1 Request-URI scheme (RFC 4475 unkscm, novelsc).
        guard supportedURISchemes.contains(line.uri.scheme.name) else { return reject(416) }

        // Max-Forwards (§16.3 step 3 for elements that forward; OPTIONS may be answered).
        if rejectsZeroMaxForwards, request.maxForwards == 0, method != .options { return reject(483) }

        // §8.2.2.3 Require (not applied to ACK and CANCEL): 420 with Unsupported.
        if method != .ack, method != .cancel {
            let unsupported = request.require.filter { !supportedExtensions.contains(SIPSyntax.asciiLowercased($0)) }
            if !unsupported.isEmpty {
                return reject(420, nil, ["Unsupported": unsupported.joined(separator: ", ")])
            }
        }

        // §8.2.3 content processing.
        if let accepted = acceptedContentTypes {
            if !request.body.isEmpty {
                guard let type = request.contentType, accepted.contains(type) else {
                    return reject(415, nil, ["Accept": accepted.joined(separator: ", ")])
                }
            }
            if method == .invite, h.contains("Accept") {
                let offered = h.listValues("Accept").map { value -> String in
                    let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
                    return SIPSyntax.asciiLowercased(SIPSyntax.trimmed(base))
                }
                let ok = offered.contains { o in
                    o == "*/*" || o == "application/*" || o == "application/sdp"
                }
                if !offered.isEmpty, !ok {
                    return reject(406, nil, ["Warning": "399 voicegate \"only application/sdp can be answered\""])
                }
            }
        }
        return .accept
    }

    /// The response to send for an invalid request, or nil when it should be processed (or dropped).
    public func rejection(for request: SIPMessage, toTag: String? = nil) -> SIPMessage? {
        if case .reject(let response) = validate(request, toTag: toTag) { return response }
        return nil
    }

    /// Parser and validator together for one UDP datagram held in a `ByteBuffer` (not consumed).
    public func react(toDatagram buffer: ByteBuffer, parser: SIPParser = SIPParser(), toTag: String? = nil) -> SIPInboundReaction {
        react(toDatagram: Array(buffer.readableBytesView), parser: parser, toTag: toTag)
    }

    /// Parser and validator together for one UDP datagram: what the UAS does with it.
    public func react(toDatagram bytes: [UInt8], parser: SIPParser = SIPParser(), toTag: String? = nil) -> SIPInboundReaction {
        let message: SIPMessage
        do {
            message = try parser.parseDatagram(bytes)
        } catch {
            if let response = error.errorResponse(toTag: toTag) { return .respond(response) }
            return .drop(error.description)
        }
        switch validate(message, toTag: toTag) {
        case .accept: return .process(message)
        case .reject(let response): return .respond(response)
        case .discard(let why): return .drop(why)
        }
    }
}

/// The UAS's reaction to one inbound datagram.
public enum SIPInboundReaction: Sendable, Hashable {
    /// A valid message for the transaction layer.
    case process(SIPMessage)
    /// Send this response statelessly (400 for malformed requests, 505/501/420/... from validation).
    case respond(SIPMessage)
    /// Drop silently (malformed response, unaddressable request, invalid ACK), with the reason.
    case drop(String)
}
