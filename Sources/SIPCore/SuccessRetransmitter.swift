/// The UAS core's 2xx retransmission of RFC 3261 section 13.3.1.4: the 200 OK to an INVITE is
/// sent again at T1, 2·T1, … capped at T2, until the ACK arrives; after 64·T1 without an ACK
/// the dialog must be ended with a BYE. (The transaction layer does not do this for 2xx.)
///
/// The gateway also uses it for its own in-dialog requests (timer E/F of BYE, REFER). On a
/// reliable transport (TCP) nothing is resent: the connection delivers, and only the 64·T1
/// give-up (timer F, or the missing ACK) remains.
public struct SuccessRetransmitter: Sendable, Equatable {
    /// What the caller must do.
    public enum Action: Sendable, Equatable {
        /// Send the 2xx again.
        case retransmit
        /// Fire `tick()` again after this many milliseconds.
        case scheduleNext(milliseconds: Int64)
        /// No ACK came: confirm the session failed and send BYE.
        case giveUp
    }

    private let timers: SIPTimers
    private let reliability: SIPTransportReliability
    private var interval: Int64
    private var elapsed: Int64 = 0
    /// Whether the ACK arrived (nothing more happens then).
    public private(set) var acknowledged = false

    /// Starts after the first 2xx was sent; the first retransmission is due after T1
    /// (unreliable transports) or the give-up after 64·T1 (reliable ones).
    public init(timers: SIPTimers = SIPTimers(), reliability: SIPTransportReliability = .unreliable) {
        self.timers = timers
        self.reliability = reliability
        self.interval = timers.t1
    }

    /// The first delay to schedule.
    public var firstDelay: Int64 { reliability == .reliable ? timers.transactionTimeout : timers.t1 }

    /// The scheduled time came.
    public mutating func tick() -> [Action] {
        guard !acknowledged else { return [] }
        if reliability == .reliable { return [.giveUp] }
        elapsed += interval
        if elapsed >= timers.transactionTimeout { return [.giveUp] }
        interval = min(2 * interval, timers.t2)
        return [.retransmit, .scheduleNext(milliseconds: min(interval, timers.transactionTimeout - elapsed))]
    }

    /// The ACK arrived.
    public mutating func ackReceived() { acknowledged = true }
}
