/// Where the gateway is in its life, shared between the SIP loop (which moves it on) and the
/// admin HTTP server (which reports it on `/ready`). An actor, so both sides see one value
/// without locks.
public actor ServiceReadiness {
    /// A phase of the gateway's life.
    public enum Phase: String, Sendable {
        /// The SIP socket is not listening yet.
        case starting
        /// Listening and taking calls.
        case ready
        /// Shutting down: no new calls, calls in progress finish.
        case draining
        /// The SIP loop has ended.
        case stopped
    }

    /// The current phase.
    public private(set) var phase: Phase = .starting

    /// Starts in `starting`.
    public init() {}

    /// Moves to `phase`.
    public func set(_ phase: Phase) { self.phase = phase }
}
