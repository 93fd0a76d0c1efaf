/// The even UDP ports calls receive RTP on (RTCP would take the odd port above), handed out
/// round-robin so a port just released is not reused at once (late packets of the old call
/// would otherwise reach the new one).
public struct RTPPortPool: Sendable, Equatable {
    /// The configured range (both ends inclusive).
    public let range: ClosedRange<Int>
    private var inUse: Set<Int> = []
    private var next: Int

    /// A pool over the even ports of `range`.
    public init(range: ClosedRange<Int>) {
        self.range = range
        self.next = range.lowerBound + (range.lowerBound % 2)
    }

    /// Ports the range holds.
    public var capacity: Int { max(0, (range.upperBound - (range.lowerBound + range.lowerBound % 2)) / 2 + 1) }

    /// Ports handed out and not yet released.
    public var inUseCount: Int { inUse.count }

    /// A free even port, or nil when every port is taken.
    public mutating func take() -> Int? {
        guard inUse.count < capacity else { return nil }
        let first = range.lowerBound + (range.lowerBound % 2)
        while true {
            let port = next
            next += 2
            if next > range.upperBound { next = first }
            if !inUse.contains(port) {
                inUse.insert(port)
                return port
            }
        }
    }

    /// Gives `port` back.
    public mutating func release(_ port: Int) { inUse.remove(port) }
}
