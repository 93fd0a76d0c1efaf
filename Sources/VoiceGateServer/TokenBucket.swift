/// A token bucket on caller-supplied time (milliseconds on any monotonic clock), so the rate
/// limit is a plain value tested with a manual clock: `ratePerSecond` tokens flow in per
/// second up to `capacity`; each admitted event takes one.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// Most tokens held (the burst that passes after a quiet time).
    public let capacity: Double
    private var tokens: Double
    private var lastMs: Int64?

    /// A full bucket. `capacity` defaults to one second's worth (at least one token).
    public init(ratePerSecond: Double, capacity: Double? = nil) {
        precondition(ratePerSecond > 0 && ratePerSecond.isFinite, "a token bucket needs a positive rate")
        self.ratePerSecond = ratePerSecond
        self.capacity = max(1, capacity ?? ratePerSecond)
        self.tokens = self.capacity
    }

    /// Takes one token at time `nowMs` if there is one; false when the rate is exceeded.
    public mutating func take(atMs nowMs: Int64) -> Bool {
        refill(atMs: nowMs)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Milliseconds from `nowMs` until a token is there (0 when one is there now).
    public mutating func msUntilNextToken(atMs nowMs: Int64) -> Int64 {
        refill(atMs: nowMs)
        guard tokens < 1 else { return 0 }
        return Int64(((1 - tokens) / ratePerSecond * 1000).rounded(.up))
    }

    private mutating func refill(atMs nowMs: Int64) {
        if let lastMs, nowMs > lastMs {
            tokens = min(capacity, tokens + Double(nowMs - lastMs) / 1000 * ratePerSecond)
        }
        if lastMs == nil || nowMs > lastMs! { lastMs = nowMs }
    }
}
