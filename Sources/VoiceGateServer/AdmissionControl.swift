public import SIPCore
public import VoiceGateDialog

/// Which SIP the gateway takes, as a pure value: the source allow-list (every datagram), the
/// draining state after the first SIGTERM, and the new-calls-per-second limit (new INVITEs only).
/// The concurrent-call limit stays in `CallController` (it knows the live calls). Time is the
/// caller's milliseconds, so tests drive it with a manual clock.
public struct AdmissionControl: Sendable {
    /// The rules.
    public struct Policy: Sendable {
        /// Sources that may send SIP at all (`trunk.allowed_networks`).
        public var allowedNetworks: [IPNetwork]
        /// What requests from other sources get (`trunk.on_disallowed`).
        public var onDisallowed: DisallowedSourceAction
        /// New INVITEs per second (burst: one second's worth); 0 or less: no limit.
        public var maxNewCallsPerSecond: Double
        /// Retry-After (seconds) of the 503 sent while draining.
        public var drainingRetryAfterSeconds: Int

        /// A policy; defaults: loopback only, drop the rest, 50 new calls/s, Retry-After 30 s
        /// while draining (long enough for a trunk to send calls to another gateway).
        public init(allowedNetworks: [IPNetwork] = ServerSettings.loopbackNetworks,
                    onDisallowed: DisallowedSourceAction = .drop, maxNewCallsPerSecond: Double = 50,
                    drainingRetryAfterSeconds: Int = 30) {
            self.allowedNetworks = allowedNetworks
            self.onDisallowed = onDisallowed
            self.maxNewCallsPerSecond = maxNewCallsPerSecond
            self.drainingRetryAfterSeconds = drainingRetryAfterSeconds
        }
    }

    /// What to do with one message.
    public enum Verdict: Sendable, Equatable {
        /// Hand it to the call controller.
        case admit
        /// Answer the request with `status` (403, 503), with Retry-After when given; `reason` is for logs.
        case refuse(status: Int, retryAfterSeconds: Int?, reason: String)
        /// Send nothing (disallowed source in drop mode, or a response/ACK from one).
        case ignore(reason: String)
    }

    /// The rules in force.
    public let policy: Policy
    /// True after `startDraining()`: new calls are refused, calls in progress go on.
    public private(set) var isDraining = false
    private var bucket: TokenBucket?

    /// Admission by `policy`, not draining, with a full token bucket.
    public init(policy: Policy) {
        self.policy = policy
        bucket = policy.maxNewCallsPerSecond > 0 ? TokenBucket(ratePerSecond: policy.maxNewCallsPerSecond) : nil
    }

    /// From now on new calls get 503 (the server is shutting down).
    public mutating func startDraining() { isDraining = true }

    /// Whether `source` is inside an allowed network (nil, an address that is not IP: no).
    public func allows(_ source: IPAddress?) -> Bool {
        guard let source else { return false }
        return policy.allowedNetworks.contains { $0.contains(source) }
    }

    /// The verdict on `message` from `source`. `isNewCall`: an INVITE that starts a call (not a
    /// retransmission, not in a dialog) — only those meet the draining state and the rate limit,
    /// so BYE, ACK, CANCEL and re-INVITEs of calls in progress always pass.
    public mutating func screen(_ message: SIPMessage, from source: IPAddress?, isNewCall: Bool,
                                atMs nowMs: Int64) -> Verdict {
        guard allows(source) else {
            let who = source.map { "\($0)" } ?? "a non-IP source"
            // Never answer responses or ACKs (RFC 3261 17.2.1); drop mode answers nothing.
            guard policy.onDisallowed == .reject, message.isRequest, message.method != .ack else {
                return .ignore(reason: "\(who) is not in trunk.allowed_networks")
            }
            return .refuse(status: 403, retryAfterSeconds: nil, reason: "\(who) is not in trunk.allowed_networks")
        }
        guard isNewCall else { return .admit }
        return admitNewCall(atMs: nowMs)
    }

    /// The verdict on a new call: 503 while draining, 503 beyond the calls-per-second limit
    /// (Retry-After: when the next token is there, at least 1 s), else admitted (one token taken).
    public mutating func admitNewCall(atMs nowMs: Int64) -> Verdict {
        if isDraining {
            return .refuse(status: 503, retryAfterSeconds: policy.drainingRetryAfterSeconds, reason: "draining for shutdown")
        }
        guard var bucket else { return .admit }
        defer { self.bucket = bucket }
        if bucket.take(atMs: nowMs) { return .admit }
        let waitMs = bucket.msUntilNextToken(atMs: nowMs)
        return .refuse(status: 503, retryAfterSeconds: max(1, Int((waitMs + 999) / 1000)),
                       reason: "more than \(policy.maxNewCallsPerSecond) new calls per second")
    }
}
