public import VoiceGateStore

/// Containment over a set of calls: the share of finished calls that were self-served in the IVR
/// without an agent (outcome `self_served`, which by definition had no transfer), against the
/// bank's target. Calls still running have no outcome yet and are counted apart. Pure.
public struct ContainmentReport: Sendable, Equatable {
    /// The bank's target share of self-served calls (DESIGN.md section 6: about 70%).
    public static let bankTarget = 0.70

    /// Finished calls by outcome.
    public private(set) var byOutcome: [RecordedOutcome: Int] = [:]
    /// Calls without an outcome yet (running).
    public private(set) var running = 0

    /// An empty report.
    public init() {}

    /// Adds one call's outcome (nil: still running).
    public mutating func add(outcome: RecordedOutcome?) {
        if let outcome { byOutcome[outcome, default: 0] += 1 } else { running += 1 }
    }

    /// Finished calls (the denominator).
    public var finished: Int { byOutcome.values.reduce(0, +) }
    /// Self-served calls (the numerator).
    public var selfServed: Int { byOutcome[.selfServed] ?? 0 }
    /// `selfServed / finished`; nil without finished calls.
    public var rate: Double? { finished == 0 ? nil : Double(selfServed) / Double(finished) }
}
