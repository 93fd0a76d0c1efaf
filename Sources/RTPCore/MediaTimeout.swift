/// Detects a dead media path: no RTP for `timeoutMs` (30 s by default) means the far end is
/// gone without a BYE, and the call should be ended. Holding (a=sendonly/inactive) pauses
/// the timer, since a held party legitimately sends nothing; resuming restarts it.
public struct MediaTimeout: Sendable, Hashable {
    /// Silence after which the media is considered dead.
    public let timeoutMs: Int64
    /// When the last packet arrived (or the timer was started or resumed).
    public private(set) var lastActivityMs: Int64
    /// Whether the call is on hold (timer paused).
    public private(set) var isPaused = false

    /// A timer started at `startMs` (call answered): a call that never gets RTP also times out.
    public init(timeoutMs: Int64 = 30_000, startMs: Int64) {
        precondition(timeoutMs > 0)
        self.timeoutMs = timeoutMs
        lastActivityMs = startMs
    }

    /// Notes a packet received at `nowMs`.
    public mutating func packetReceived(atMs nowMs: Int64) {
        lastActivityMs = max(lastActivityMs, nowMs)
    }

    /// Pauses the timer (call put on hold).
    public mutating func pause() {
        isPaused = true
    }

    /// Resumes the timer at `nowMs` (call taken off hold): the far end gets the full timeout.
    public mutating func resume(atMs nowMs: Int64) {
        isPaused = false
        lastActivityMs = max(lastActivityMs, nowMs)
    }

    /// When the timeout fires if nothing arrives, nil while paused (for scheduling one timer).
    public var deadlineMs: Int64? { isPaused ? nil : lastActivityMs + timeoutMs }

    /// Whether the media is dead at `nowMs`.
    public func hasExpired(atMs nowMs: Int64) -> Bool {
        guard let deadline = deadlineMs else { return false }
        return nowMs >= deadline
    }
}
