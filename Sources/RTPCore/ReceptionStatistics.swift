/// What a receiver knows about one source, for its RTCP reception report block: RFC 3550
/// appendix A.1 (sequence validation with probation, cycles), A.3 (expected and lost, fraction
/// lost per interval) and A.8 (interarrival jitter), plus LSR/DLSR from the last sender report.
/// Times come from the caller's clock in milliseconds.
public struct ReceptionStatistics: Sendable {
    /// The source being reported on.
    public let ssrc: UInt32
    /// The source's media clock rate.
    public let clockRate: Int

    private static let maxDropout: UInt16 = 3000
    private static let maxMisorder: UInt16 = 100
    private static let minSequential = 2

    private var maxSeq: UInt16 = 0
    private var cycles: UInt32 = 0
    private var baseSeq: UInt32 = 0
    private var badSeq: UInt32 = 1 << 16 + 1  // "so seq == badSeq is false"
    private var probation: Int
    /// Packets received and accepted (A.1 `received`).
    public private(set) var received: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var transit: Int64?
    private var jitterScaled: UInt32 = 0  // jitter * 16, the A.8 fixed-point form
    private var lastSRMiddle: UInt32 = 0
    private var lastSRArrivalMs: Int64?
    private var started = false

    /// Statistics for `ssrc` at `clockRate`; the first packets are on probation until two
    /// arrive in sequence (A.1), so a stray packet does not start a bogus stream.
    public init(ssrc: UInt32, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        probation = Self.minSequential
    }

    /// The extended highest sequence number received (cycles in the high 16 bits).
    public var extendedHighestSequence: UInt32 { cycles + UInt32(maxSeq) }
    /// Packets expected from the first to the highest sequence number.
    public var expected: UInt32 { started ? extendedHighestSequence &- baseSeq &+ 1 : 0 }
    /// Cumulative packets lost (expected - received; negative with duplicates).
    public var cumulativeLost: Int64 { Int64(expected) - Int64(received) }
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32 { jitterScaled >> 4 }

    /// Records one packet; returns false if it was rejected as invalid (probation, a large jump
    /// not yet confirmed). `arrivalMs` feeds the jitter estimate.
    @discardableResult
    public mutating func record(sequenceNumber seq: UInt16, timestamp: UInt32, arrivalMs: Int64) -> Bool {
        guard updateSequence(seq) else { return false }
        // A.8: transit time in timestamp units; only differences matter, so the wrap of the
        // 32-bit timestamp is absorbed by the signed difference.
        let arrivalUnits = arrivalMs * Int64(clockRate) / 1000
        let currentTransit = arrivalUnits - Int64(timestamp)
        if let previous = transit {
            var d = currentTransit - previous
            d = Int64(Int32(truncatingIfNeeded: d))
            let absD = UInt32(clamping: abs(d))
            jitterScaled = jitterScaled &+ absD &- ((jitterScaled &+ 8) >> 4)
        }
        transit = currentTransit
        return true
    }

    private mutating func initSequence(_ seq: UInt16) {
        baseSeq = UInt32(seq)
        maxSeq = seq
        badSeq = 1 << 16 + 1
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
        started = true
    }

    /// RFC 3550 A.1 `update_seq`.
    private mutating func updateSequence(_ seq: UInt16) -> Bool {
        let udelta = seq &- maxSeq
        if probation > 0 {
            if started && seq == maxSeq &+ 1 {
                probation -= 1
                maxSeq = seq
                if probation == 0 {
                    initSequence(seq)
                    baseSeq = UInt32(seq) &- UInt32(Self.minSequential - 1)
                    received = UInt32(Self.minSequential)
                    return true
                }
            } else {
                probation = Self.minSequential - 1
                maxSeq = seq
                started = true
            }
            return false
        } else if udelta < Self.maxDropout {
            if seq < maxSeq { cycles &+= 1 << 16 }  // wrapped
            maxSeq = seq
        } else if udelta <= UInt16.max - Self.maxMisorder {
            // A very large jump: accept only if the next packet confirms it (sender restart).
            if UInt32(seq) == badSeq {
                initSequence(seq)
            } else {
                badSeq = UInt32(seq &+ 1)
                return false
            }
        }
        // Otherwise a duplicate or reordered packet: counted, maxSeq unchanged.
        received &+= 1
        return true
    }

    /// Notes a sender report from this source that arrived at `arrivalMs`, for LSR/DLSR.
    public mutating func recordSenderReport(ntpTimestamp: UInt64, arrivalMs: Int64) {
        lastSRMiddle = NTPTime.middle32(ntpTimestamp)
        lastSRArrivalMs = arrivalMs
    }

    /// The report block for an RTCP packet sent at `nowMs`; starts a new interval for the
    /// fraction lost (A.3).
    public mutating func makeReportBlock(nowMs: Int64) -> RTCPReportBlock {
        let expectedNow = expected
        let expectedInterval = expectedNow &- expectedPrior
        expectedPrior = expectedNow
        let receivedInterval = received &- receivedPrior
        receivedPrior = received
        let lostInterval = Int64(expectedInterval) - Int64(receivedInterval)
        let fraction: UInt8 = expectedInterval == 0 || lostInterval <= 0
            ? 0 : UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        var dlsr: UInt32 = 0
        if let arrival = lastSRArrivalMs {
            dlsr = UInt32(clamping: max(0, nowMs - arrival) * 65536 / 1000)
        }
        return RTCPReportBlock(ssrc: ssrc, fractionLost: fraction,
                               cumulativeLost: Int32(clamping: cumulativeLost),
                               extendedHighestSequence: extendedHighestSequence, jitter: jitter,
                               lastSenderReport: lastSRMiddle, delaySinceLastSenderReport: dlsr)
    }
}
