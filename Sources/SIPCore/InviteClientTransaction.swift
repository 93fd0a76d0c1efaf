/// The INVITE client transaction of RFC 3261 section 17.1.1, with the "Accepted" state of
/// RFC 6026, as a value-type state machine: events in, actions out; the owner has the socket
/// and the clock (timers are actions and events).
///
/// It retransmits the INVITE on unreliable transports (timer A: T1, doubling, no cap) until a
/// response or timer B (64·T1); ACKs every non-2xx final response itself (17.1.1.3) and absorbs
/// their retransmissions (timer D); and hands every 2xx, first and retransmitted, to the TU,
/// whose job the ACK of a 2xx is (13.2.2.4) — a new transaction-less request.
public struct InviteClientTransaction: Sendable {
    /// The transaction's states.
    public enum State: Sendable, Equatable {
        /// The INVITE is out; no response yet (timers A and B run).
        case calling
        /// A provisional response came; waiting for the final one.
        case proceeding
        /// A 300–699 came and was ACKed; absorbing its retransmissions (timer D).
        case completed
        /// A 2xx came (RFC 6026): its retransmissions still reach the TU until timer M.
        case accepted
        /// Over.
        case terminated
    }

    /// The transaction timers (RFC 3261 table 4, RFC 6026).
    public enum Timer: Sendable, Hashable {
        /// Retransmit the INVITE (unreliable transports): T1, 2·T1, 4·T1 …
        case a
        /// Give up without any response (64·T1).
        case b
        /// Stop absorbing final-response retransmissions (32 s unreliable, 0 reliable).
        case d
        /// Stop passing 2xx retransmissions to the TU (64·T1).
        case m
    }

    /// What happened.
    public enum Event: Sendable {
        /// Send the INVITE for the first time.
        case start
        /// A response matching this transaction arrived.
        case received(SIPMessage)
        /// A timer this machine asked for fired.
        case timerFired(Timer)
    }

    /// What the owner must do, in order.
    public enum Action: Sendable {
        /// Send this request (the INVITE, or the ACK of an error response) to the next hop.
        case send(SIPMessage)
        /// Start (or restart) `timer` to fire after `milliseconds`.
        case startTimer(Timer, milliseconds: Int64)
        /// Cancel `timer`.
        case cancelTimer(Timer)
        /// Hand this response to the TU (provisional, first final, and every 2xx).
        case deliver(SIPMessage)
        /// Timer B fired in the calling state: no response at all (the TU treats it as 408).
        case timedOut
        /// The transaction is over; forget it.
        case terminated
    }

    /// The INVITE this transaction sends.
    public let invite: SIPMessage
    /// Where the machine is.
    public private(set) var state: State = .calling
    private let timers: SIPTimers
    private let reliability: SIPTransportReliability
    private var aInterval: Int64
    private var ack: SIPMessage?

    /// A transaction for `invite` (which must have a Via with a branch, From, To, Call-ID, CSeq).
    public init(invite: SIPMessage, timers: SIPTimers = SIPTimers(), reliability: SIPTransportReliability) {
        self.invite = invite
        self.timers = timers
        self.reliability = reliability
        self.aInterval = timers.t1
    }

    /// Handles one event; returns the actions to perform.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.calling, .start):
            var actions: [Action] = [.send(invite)]
            if reliability == .unreliable { actions.append(.startTimer(.a, milliseconds: aInterval)) }
            actions.append(.startTimer(.b, milliseconds: timers.transactionTimeout))
            return actions
        case (.calling, .timerFired(.a)):
            aInterval *= 2  // no T2 cap for INVITE (17.1.1.2): 7 retransmissions fit in timer B
            return [.send(invite), .startTimer(.a, milliseconds: aInterval)]
        case (.calling, .timerFired(.b)):
            state = .terminated
            return [.cancelTimer(.a), .timedOut, .terminated]
        case let (.calling, .received(response)), let (.proceeding, .received(response)):
            guard let status = response.status else { return [] }
            let stop: [Action] = state == .calling ? [.cancelTimer(.a), .cancelTimer(.b)] : []
            switch status {
            case 100..<200:
                state = .proceeding
                return stop + [.deliver(response)]
            case 200..<300:
                state = .accepted
                return stop + [.deliver(response), .startTimer(.m, milliseconds: timers.transactionTimeout)]
            default:
                state = .completed
                let ack = Self.ack(for: invite, response: response)
                self.ack = ack
                let wait: Int64 = reliability == .unreliable ? 32_000 : 0
                return stop + [.send(ack), .deliver(response), .startTimer(.d, milliseconds: wait)]
            }
        case let (.completed, .received(response)):
            guard let status = response.status, status >= 300, let ack else { return [] }
            return [.send(ack)]  // the error response again: our ACK was lost
        case (.completed, .timerFired(.d)):
            state = .terminated
            return [.terminated]
        case let (.accepted, .received(response)):
            guard let status = response.status, (200..<300).contains(status) else { return [] }
            return [.deliver(response)]  // the TU ACKs every 2xx retransmission
        case (.accepted, .timerFired(.m)):
            state = .terminated
            return [.terminated]
        default:
            return []  // late timers and responses that do not apply in this state
        }
    }

    /// The ACK of a non-2xx final response (RFC 3261 17.1.1.3): the INVITE's Request-URI,
    /// top Via, From, Call-ID and Route; the response's To (with its tag); CSeq number of the
    /// INVITE with method ACK.
    public static func ack(for invite: SIPMessage, response: SIPMessage) -> SIPMessage {
        var headers = SIPHeaders()
        if let via = invite.headers.listValues("Via").first { headers.add(name: "Via", value: via) }
        headers.add(name: "Max-Forwards", value: "70")
        if let from = invite.headers["From"] { headers.add(name: "From", value: from) }
        if let to = response.headers["To"] ?? invite.headers["To"] { headers.add(name: "To", value: to) }
        headers.add(name: "Call-ID", value: invite.callID ?? "")
        headers.add(name: "CSeq", value: "\(invite.cSeq?.sequence ?? 1) ACK")
        for route in invite.headers.listValues("Route") { headers.add(name: "Route", value: route) }
        let uri = invite.requestLine?.uri ?? SIPURI(host: "invalid")
        return SIPMessage(method: .ack, uri: uri, headers: headers)
    }
}
