/// The INVITE server transaction of RFC 3261 section 17.2.1, with the "Accepted" state of
/// RFC 6026, as a value-type state machine: events in, actions out; the caller owns the
/// socket and the clock (timers are actions and events).
///
/// `Response` is whatever the transport layer sends (a parsed message, or its bytes): the
/// machine only decides *when* the last response goes out again.
public struct InviteServerTransaction<Response: Sendable>: Sendable {
    /// The transaction's states.
    public enum State: Sendable, Equatable {
        /// Created by the INVITE; provisional responses may be sent.
        case proceeding
        /// A 300–699 final response was sent; waiting for the ACK (timers G and H run).
        case completed
        /// The ACK for the error response arrived; absorbing retransmitted ACKs (timer I).
        case confirmed
        /// A 2xx was sent (RFC 6026): retransmitted INVITEs are absorbed; timer L ends it.
        case accepted
        /// Over: the transaction can be removed.
        case terminated
    }

    /// The transaction timers (RFC 3261 table 4, RFC 6026).
    public enum Timer: Sendable, Hashable {
        /// Retransmit the final error response (unreliable transports), T1 doubling to T2.
        case g
        /// Give up waiting for the ACK of an error response (64·T1).
        case h
        /// Stop absorbing ACK retransmissions (T4 on unreliable transports, else 0).
        case i
        /// Stop absorbing INVITE retransmissions after a 2xx (64·T1).
        case l
    }

    /// What happened.
    public enum Event: Sendable {
        /// The same INVITE arrived again (a retransmission).
        case requestRetransmitted
        /// The TU (the call controller) sends a response; `isFinal` and `isSuccess` classify it.
        case send(Response, status: Int)
        /// An ACK for a non-2xx final response arrived.
        case ackReceived
        /// A timer this machine asked for fired.
        case timerFired(Timer)
    }

    /// What the caller must do, in order.
    public enum Action: Sendable {
        /// Send this response to the request's source (Via rules).
        case sendResponse(Response)
        /// Start (or restart) `timer` to fire after `milliseconds`.
        case startTimer(Timer, milliseconds: Int64)
        /// Cancel `timer`.
        case cancelTimer(Timer)
        /// Tell the TU the ACK never came (timer H): the call setup failed.
        case ackTimeout
        /// The transaction is over; forget it.
        case terminated
    }

    /// Where the machine is.
    public private(set) var state: State = .proceeding
    /// The last response sent (provisional or final), resent on retransmissions.
    public private(set) var lastResponse: Response?
    private let timers: SIPTimers
    private let reliability: SIPTransportReliability
    private var gInterval: Int64

    /// A transaction for a newly received INVITE.
    public init(timers: SIPTimers = SIPTimers(), reliability: SIPTransportReliability) {
        self.timers = timers
        self.reliability = reliability
        self.gInterval = timers.t1
    }

    /// Handles one event; returns the actions to perform.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.proceeding, .requestRetransmitted):
            return lastResponse.map { [.sendResponse($0)] } ?? []
        case let (.proceeding, .send(response, status)):
            lastResponse = response
            switch status {
            case 100..<200:
                return [.sendResponse(response)]
            case 200..<300:
                state = .accepted
                return [.sendResponse(response), .startTimer(.l, milliseconds: timers.transactionTimeout)]
            default:
                state = .completed
                var actions: [Action] = [.sendResponse(response)]
                if reliability == .unreliable { actions.append(.startTimer(.g, milliseconds: gInterval)) }
                actions.append(.startTimer(.h, milliseconds: timers.transactionTimeout))
                return actions
            }
        case (.completed, .requestRetransmitted):
            return lastResponse.map { [.sendResponse($0)] } ?? []
        case (.completed, .timerFired(.g)):
            gInterval = min(2 * gInterval, timers.t2)
            return (lastResponse.map { [.sendResponse($0)] } ?? []) + [.startTimer(.g, milliseconds: gInterval)]
        case (.completed, .timerFired(.h)):
            state = .terminated
            return [.cancelTimer(.g), .ackTimeout, .terminated]
        case (.completed, .ackReceived):
            state = .confirmed
            let wait = reliability == .unreliable ? timers.t4 : 0
            return [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, milliseconds: wait)]
        case (.confirmed, .ackReceived), (.confirmed, .requestRetransmitted):
            return []  // absorbed
        case (.confirmed, .timerFired(.i)):
            state = .terminated
            return [.terminated]
        case (.accepted, .requestRetransmitted), (.accepted, .ackReceived):
            return []  // the TU's 2xx retransmission (RFC 3261 13.3.1.4) answers these, not the transaction
        case let (.accepted, .send(response, status)) where (200..<300).contains(status):
            lastResponse = response
            return [.sendResponse(response)]
        case (.accepted, .timerFired(.l)):
            state = .terminated
            return [.terminated]
        default:
            return []  // late timers and events that do not apply in this state are ignored
        }
    }
}
