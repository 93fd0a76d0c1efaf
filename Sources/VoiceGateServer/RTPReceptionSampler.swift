public import RTPCore

/// Turns a call's RTP reception statistics (RFC 3550 A.3 and A.8, kept by `RTCPSession`) into
/// metric samples: the packets lost since the last sample, and the jitter now in seconds.
/// One per call's inbound stream; a new source (SSRC) starts its loss count afresh.
public struct RTPReceptionSampler: Sendable {
    private var ssrc: UInt32?
    private var lostCounted: Int64 = 0

    /// A sampler that has seen nothing.
    public init() {}

    /// The loss since the last sample and the current jitter (seconds), or nil before any
    /// packet arrived. Loss never counts down (duplicates can make RFC 3550's count shrink).
    public mutating func sample(_ reception: ReceptionStatistics?) -> (lost: Int64, jitterSeconds: Double)? {
        guard let reception, reception.received > 0, reception.clockRate > 0 else { return nil }
        if reception.ssrc != ssrc {
            ssrc = reception.ssrc
            lostCounted = 0
        }
        let lost = max(0, reception.cumulativeLost - lostCounted)
        lostCounted += lost
        return (lost, Double(reception.jitter) / Double(reception.clockRate))
    }

    /// Samples `reception` into `metrics` (nothing without metrics or packets).
    public mutating func report(_ reception: ReceptionStatistics?, to metrics: GatewayMetrics?) {
        guard let metrics, let (lost, jitter) = sample(reception) else { return }
        metrics.observeRTPReception(lost: lost, jitterSeconds: jitter)
    }
}
