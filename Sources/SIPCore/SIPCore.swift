/// `SIPCore`: SIP as values and pure functions, no sockets (DESIGN.md section 3).
///
/// The message layer, in the order an inbound datagram meets it:
/// 1. `SIPParser.parseDatagram` (UDP) or `SIPStreamFramer.next` (TCP/TLS) turns bytes into a
///    `SIPMessage` or a `SIPParseError`. An error whose `canRespond` is true yields a 400 via
///    `SIPParseError.errorResponse`; otherwise the bytes are dropped.
/// 2. `SIPRequestValidator.validate` applies the UAS checks of RFC 3261 §8.2 and returns
///    `.accept`, `.reject(response)` or `.discard`. `SIPRequestValidator.react(toDatagram:)`
///    does steps 1 and 2 in one call.
/// 3. Accepted messages go to the transaction and dialog state machines (later pieces), which
///    build responses with `SIPResponseBuilder` and send bytes made by `SIPSerializer`.
///
/// Model: `SIPMessage` (start line, ordered `SIPHeaders`, body bytes) with typed accessors
/// (`vias`, `from`, `to`, `callID`, `cSeq`, `maxForwards`, `contact`, `contentLength`, ...),
/// `SIPURI`, `SIPNameAddress`, `SIPVia`, `SIPCSeq`, `SIPMethod`, `SIPParameters`.
/// Limits against hostile input: `SIPParserLimits`.
public enum SIPCoreModule {
    /// Module name, for diagnostics.
    public static let name = "SIPCore"
}
