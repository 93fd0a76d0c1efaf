public import VoiceGateDialog

/// The IVR's response latency as far as stored events show it: from the caller's last input
/// (a `dtmf`, `intent` or `nomatch` event: the moment the gateway had the key or the recognition
/// result) to the next `prompt` `started` event. The engine records `started` when it decides to
/// play, so this is the decision plus any backend lookup before the answer (the caller waits for
/// those too) — usually 0 ms without a lookup. Not included: the end-of-speech wait before a
/// spoken intent is decided (the endpointer's trailing silence), prompt rendering and audio
/// buffering after the decision; the metrics helper's live histogram measures those.
/// No-input reprompts are not responses to input and are not samples. Pure.
public enum ResponseLatency {
    /// The samples of one call, in milliseconds, in order.
    public static func samples(_ events: [TraceEvent]) -> [Int64] {
        var samples: [Int64] = []
        var lastInputMs: Int64?
        for event in events {
            switch event.detail {
            case .dtmf, .intent, .noMatch:
                lastInputMs = event.atMs
            case .noInput:
                lastInputMs = nil
            case let .prompt(_, _, state, _) where state == .started:
                if let input = lastInputMs { samples.append(max(0, event.atMs - input)) }
                lastInputMs = nil
            default:
                continue
            }
        }
        return samples
    }
}

/// A latency distribution: counts per bucket and percentiles. Pure.
public struct LatencyDistribution: Sendable, Equatable {
    /// Bucket upper bounds in milliseconds (exclusive); one last bucket holds the rest.
    public static let boundsMs: [Int64] = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000]

    /// Samples per bucket: `boundsMs.count + 1` counts.
    public private(set) var counts: [Int]
    /// Every sample, kept for exact percentiles (a few per call).
    public private(set) var samplesMs: [Int64] = []

    /// An empty distribution.
    public init() { counts = Array(repeating: 0, count: Self.boundsMs.count + 1) }

    /// Adds samples.
    public mutating func add(_ samples: [Int64]) {
        for sample in samples {
            let bucket = Self.boundsMs.firstIndex { sample < $0 } ?? Self.boundsMs.count
            counts[bucket] += 1
            samplesMs.append(sample)
        }
    }

    /// Number of samples.
    public var count: Int { samplesMs.count }

    /// The `p` percentile (0...1) by nearest rank; nil without samples.
    public func percentile(_ p: Double) -> Int64? {
        guard !samplesMs.isEmpty else { return nil }
        let sorted = samplesMs.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// A bucket's label, e.g. `100–200` or `≥3000` (ms).
    public static func label(bucket: Int) -> String {
        if bucket >= boundsMs.count { return "≥\(boundsMs[boundsMs.count - 1])" }
        let low = bucket == 0 ? 0 : boundsMs[bucket - 1]
        return "\(low)–\(boundsMs[bucket])"
    }
}
