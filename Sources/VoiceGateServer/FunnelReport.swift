public import VoiceGateDialog
public import VoiceGateStore

/// Where callers fail, per node, over a set of calls: events in, per-node counts out. Pure (no
/// IO, no clock); the console folds a window's calls into it one at a time
/// (`CallStore.reduceCalls`). The definitions are those of docs/ops-console.md:
///
/// Every count is of *callers* (calls), not of visits: a caller who enters a node twice and
/// hits no-input on both visits counts once in `entered` and once in `noInput`.
/// - entered: the call has a `node` event for the node.
/// - no-input / no-match: at least one `noinput` / `nomatch` event in the node.
/// - barged in / false barge-in: at least one `bargein` / `false_bargein` event in the node.
/// - asked for an agent: at least one `intent` named `agent` in the node (said or key 0).
/// - hung up there: the call ended in the node (its last `node` event), the caller hung up
///   (`hangup` by `caller`) unserved (outcome `abandoned`), or the call has no `hangup` event
///   at all (media lost).
/// - succeeded: not "asked for an agent", not "hung up there", and on the caller's last visit
///   either the call moved on to another node by the caller's input or by itself (a say or
///   lookup node finishing) — not by escalation, i.e. the last input event of that visit
///   (`dtmf`, `intent`, `noinput`, `nomatch`) is not a `noinput`/`nomatch` — or the call ended
///   in the node self-served or transferred (a transfer node that did its job).
/// - failed = entered − succeeded (escalated after errors, asked for an agent, hung up, the
///   IVR ended the call unserved, or the call is still there).
public struct FunnelReport: Sendable, Equatable {
    /// One node's counts.
    public struct Node: Sendable, Equatable {
        /// The node name (from the events).
        public var name: String
        /// Callers who entered it.
        public var entered = 0
        /// Callers who succeeded there (see the type's definition).
        public var succeeded = 0
        /// Callers with at least one no-input there.
        public var noInput = 0
        /// Callers with at least one no-match there.
        public var noMatch = 0
        /// Callers who cut at least one prompt there (key, keyword or energy).
        public var bargedIn = 0
        /// Callers with at least one false barge-in there (a barge-in whose input matched nothing).
        public var falseBargeIn = 0
        /// Callers who asked for an agent there.
        public var askedAgent = 0
        /// Callers who hung up there unserved.
        public var hungUp = 0

        /// A node with no callers yet.
        public init(name: String) { self.name = name }

        /// Callers who did not succeed there.
        public var failed: Int { entered - succeeded }
        /// `failed / entered` (0 without callers).
        public var failureRate: Double { entered == 0 ? 0 : Double(failed) / Double(entered) }
        /// Failed callers that neither asked for an agent nor hung up (escalated, ended by the IVR,
        /// still running): the rest of the stacked bar.
        public var otherFailures: Int { max(0, failed - askedAgent - hungUp) }
    }

    /// Per node, by name.
    public private(set) var nodesByName: [String: Node] = [:]
    /// Calls folded in.
    public private(set) var calls = 0

    /// An empty report.
    public init() {}

    /// The nodes, those where callers fail most first: by failure rate, then by failed callers,
    /// then by name (a stable order for equal rows).
    public var nodes: [Node] {
        nodesByName.values.sorted {
            if $0.failureRate != $1.failureRate { return $0.failureRate > $1.failureRate }
            if $0.failed != $1.failed { return $0.failed > $1.failed }
            return $0.name < $1.name
        }
    }

    /// Whether `node` is one where callers fail notably: at least `threshold` of its callers failed.
    public static func isProblem(_ node: Node, threshold: Double = 0.25) -> Bool {
        node.failed > 0 && node.failureRate >= threshold
    }

    /// Adds one call: its events in order and its stored outcome (nil while it runs).
    public mutating func add(events: [TraceEvent], outcome: RecordedOutcome?) {
        calls += 1
        let visits = Self.visits(of: events)
        guard !visits.isEmpty else { return }
        let hangup = events.lazy.compactMap { event -> (by: String, outcome: CallOutcome)? in
            if case let .hangup(by, outcome) = event.detail { return (by, outcome) }
            return nil
        }.last
        let ended = outcome != nil || hangup != nil

        var seen: Set<String> = []
        for (index, visit) in visits.enumerated().reversed() where !seen.contains(visit.node) {
            // `visit` is the caller's last visit of this node.
            seen.insert(visit.node)
            let all = visits.filter { $0.node == visit.node }.flatMap(\.events)
            var row = nodesByName[visit.node] ?? Node(name: visit.node)
            row.entered += 1
            let noInput = all.contains { if case .noInput = $0.detail { return true } else { return false } }
            let noMatch = all.contains { if case .noMatch = $0.detail { return true } else { return false } }
            let bargedIn = all.contains { if case .bargeIn = $0.detail { return true } else { return false } }
            let falseBargeIn = all.contains { if case .falseBargeIn = $0.detail { return true } else { return false } }
            let askedAgent = all.contains {
                if case let .intent(name, _, _) = $0.detail { return name == "agent" } else { return false }
            }
            let endedHere = index == visits.count - 1 && ended
            let servedOrTransferred = outcome == .selfServed || outcome == .transferred
                || hangup?.outcome == .selfServed || hangup?.outcome == .transferred
            let hungUp = endedHere && !servedOrTransferred
                && (hangup == nil || (hangup?.by == "caller" && hangup?.outcome == .abandoned))
            let movedOn = index < visits.count - 1 && !Self.escalated(visit.events)
            let succeeded = !askedAgent && !hungUp && (movedOn || (endedHere && servedOrTransferred))
            if noInput { row.noInput += 1 }
            if noMatch { row.noMatch += 1 }
            if bargedIn { row.bargedIn += 1 }
            if falseBargeIn { row.falseBargeIn += 1 }
            if askedAgent { row.askedAgent += 1 }
            if hungUp && !askedAgent { row.hungUp += 1 }
            if succeeded { row.succeeded += 1 }
            nodesByName[visit.node] = row
        }
    }

    /// One stay in a node: from its `node` event to the next one.
    struct Visit {
        var node: String
        var events: [TraceEvent]
    }

    /// The call's visits in order; events before the first `node` event belong to none.
    static func visits(of events: [TraceEvent]) -> [Visit] {
        var visits: [Visit] = []
        for event in events {
            if case .node = event.detail, let node = event.node {
                visits.append(Visit(node: node, events: []))
            } else if !visits.isEmpty {
                visits[visits.count - 1].events.append(event)
            }
        }
        return visits
    }

    /// Whether the visit was left by escalation: its last input event is a no-input or no-match.
    static func escalated(_ events: [TraceEvent]) -> Bool {
        for event in events.reversed() {
            switch event.detail {
            case .noInput, .noMatch: return true
            case .dtmf, .intent: return false
            default: continue
            }
        }
        return false
    }
}
