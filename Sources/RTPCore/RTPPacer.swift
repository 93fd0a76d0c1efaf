/// Drift-free pacing of outbound packets: packet n is due at `startMs + n * intervalMs`, so a
/// timer that fires late does not shift the stream (the next firing sends what is due).
/// After a long stall (a GC-like pause, an overloaded core) it sends at most `maxBurst`
/// packets at once and drops the rest of the backlog: the caller advances the media clock
/// over the skipped frames (`RTPSender.skip(samples:)`) so the timestamps stay true to time.
public struct RTPPacer: Sendable, Hashable {
    /// What to do at a timer firing.
    public struct Due: Sendable, Hashable {
        /// Packets to send now.
        public var send: Int
        /// Frames skipped because the backlog exceeded `maxBurst`.
        public var skipped: Int
    }

    /// Packetisation interval in milliseconds.
    public let intervalMs: Int64
    /// Most packets sent in one firing.
    public let maxBurst: Int
    /// When packet 0 was due.
    public private(set) var startMs: Int64
    /// Frames handled (sent or skipped) so far.
    public private(set) var handled: Int64 = 0

    /// A pacer whose first packet is due at `startMs`.
    public init(intervalMs: Int64 = 20, startMs: Int64, maxBurst: Int = 3) {
        precondition(intervalMs > 0 && maxBurst > 0)
        self.intervalMs = intervalMs
        self.startMs = startMs
        self.maxBurst = maxBurst
    }

    /// When the next packet is due (schedule the timer for this).
    public var nextDueMs: Int64 { startMs + handled * intervalMs }

    /// The packets due at `nowMs`, marked as handled.
    public mutating func due(nowMs: Int64) -> Due {
        guard nowMs >= nextDueMs else { return Due(send: 0, skipped: 0) }
        let backlog = Int((nowMs - nextDueMs) / intervalMs) + 1
        let send = min(backlog, maxBurst)
        handled += Int64(backlog)
        return Due(send: send, skipped: backlog - send)
    }

    /// Restarts the schedule at `nowMs` (a new prompt after the stream was idle).
    public mutating func restart(atMs nowMs: Int64) {
        startMs = nowMs
        handled = 0
    }
}
