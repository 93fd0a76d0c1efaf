/// A clock that only moves when a test says so, for timers (noinput, inter-digit, SIP T1)
/// that must be tested without sleeping.
public struct ManualClock: Sendable {
    /// Current time in milliseconds since the clock's start.
    public private(set) var nowMs: Int64 = 0

    /// A clock at time zero.
    public init() {}

    /// Moves time forward by `ms` milliseconds.
    public mutating func advance(byMs ms: Int64) {
        precondition(ms >= 0, "a clock never goes back")
        nowMs += ms
    }
}
