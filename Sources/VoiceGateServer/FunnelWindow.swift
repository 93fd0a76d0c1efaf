public import Foundation
public import VoiceGateDialog
public import VoiceGateStore

/// Everything the funnel page shows for one time window, built by folding the window's calls in
/// one at a time: per-node funnel, containment and response latency. Pure.
public struct FunnelWindow: Sendable, Equatable {
    /// Calls that started at or after this time.
    public var from: Date
    /// Calls that started before this time.
    public var to: Date
    /// Per-node counts.
    public var funnel = FunnelReport()
    /// Self-served share of finished calls.
    public var containment = ContainmentReport()
    /// Response latency from the stored events.
    public var latency = LatencyDistribution()
    /// Whether the window held more calls than were read (the page says so).
    public var truncated = false

    /// An empty window.
    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// Adds one call with its events.
    public mutating func add(call: CallRecord, events: [TraceEvent]) {
        funnel.add(events: events, outcome: call.outcome)
        containment.add(outcome: call.outcome)
        latency.add(ResponseLatency.samples(events))
    }

    /// The window read from `store`.
    public static func load(from: Date, to: Date, store: CallStore) async throws -> FunnelWindow {
        let (window, truncated) = try await store.reduceCalls(startedFrom: from, startedBefore: to,
                                                              into: FunnelWindow(from: from, to: to)) { window, call, events in
            window.add(call: call, events: events)
        }
        var result = window
        result.truncated = truncated
        return result
    }
}
