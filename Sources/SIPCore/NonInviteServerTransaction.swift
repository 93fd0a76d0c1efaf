/// The non-INVITE server transaction of RFC 3261 section 17.2.2 (BYE, CANCEL, OPTIONS, INFO,
/// NOTIFY …) as a value-type state machine: the caller owns the socket and the clock.
public struct NonInviteServerTransaction<Response: Sendable>: Sendable {
    /// The transaction's states.
    public enum State: Sendable, Equatable {
        /// Created by the request; nothing sent yet.
        case trying
        /// A provisional response was sent.
        case proceeding
        /// A final response was sent; retransmitted requests get it again until timer J.
        case completed
        /// Over: the transaction can be removed.
        case terminated
    }

    /// What happened.
    public enum Event: Sendable {
        /// The same request arrived again.
        case requestRetransmitted
        /// The TU sends a response with `status`.
        case send(Response, status: Int)
        /// Timer J (64·T1 on unreliable transports, 0 on reliable ones) fired.
        case timerJFired
    }

    /// What the caller must do, in order.
    public enum Action: Sendable {
        /// Send this response.
        case sendResponse(Response)
        /// Start timer J to fire after `milliseconds`.
        case startTimerJ(milliseconds: Int64)
        /// The transaction is over; forget it.
        case terminated
    }

    /// Where the machine is.
    public private(set) var state: State = .trying
    /// The last response sent.
    public private(set) var lastResponse: Response?
    private let timers: SIPTimers
    private let reliability: SIPTransportReliability

    /// A transaction for a newly received non-INVITE request.
    public init(timers: SIPTimers = SIPTimers(), reliability: SIPTransportReliability) {
        self.timers = timers
        self.reliability = reliability
    }

    /// Handles one event; returns the actions to perform.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.trying, .requestRetransmitted):
            return []  // nothing to resend yet
        case (.proceeding, .requestRetransmitted), (.completed, .requestRetransmitted):
            return lastResponse.map { [.sendResponse($0)] } ?? []
        case let (.trying, .send(response, status)), let (.proceeding, .send(response, status)):
            lastResponse = response
            if status < 200 {
                state = .proceeding
                return [.sendResponse(response)]
            }
            state = .completed
            return [.sendResponse(response), .startTimerJ(milliseconds: reliability == .unreliable ? timers.transactionTimeout : 0)]
        case (.completed, .timerJFired):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }
}
