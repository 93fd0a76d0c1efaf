/// RFC 3261 timer values (section 17.1.1.1 and table 4), in milliseconds.
public struct SIPTimers: Sendable, Equatable {
    /// RTT estimate (default 500 ms).
    public var t1: Int64
    /// Longest retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Int64
    /// Longest time a message stays in the network (default 5 s).
    public var t4: Int64

    /// RFC 3261's defaults.
    public init(t1: Int64 = 500, t2: Int64 = 4000, t4: Int64 = 5000) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// Timer H / J / L / B: 64·T1, how long a transaction waits before giving up (32 s).
    public var transactionTimeout: Int64 { 64 * t1 }
}

/// Whether the transport retransmits for us (TCP, TLS) or not (UDP): on reliable transports
/// the retransmission timers (G) are not used and the wait timers (I, J) are zero.
public enum SIPTransportReliability: Sendable, Equatable {
    /// UDP.
    case unreliable
    /// TCP or TLS.
    case reliable
}
