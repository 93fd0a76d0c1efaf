public import Prometheus
public import VoiceGateDialog

/// The gateway's Prometheus metrics (`GET /metrics`, docs/serve.md "Metrics"): calls, the
/// per-node funnel from the dialog's trace events, recognition confidence, response latency,
/// RTP reception quality and the SIP responses sent.
///
/// Every metric lives in `registry`, made straight from it (not through the global
/// `MetricsSystem`) so each has its help text and its own buckets, and so a test can run a
/// gateway in-process with a registry of its own. `voicegate serve` also bootstraps
/// swift-metrics onto the same registry (`bootstrapMetricsSystem()`), so anything a library
/// reports through swift-metrics shows up at `/metrics` too.
///
/// Label values are bounded: node names, intents' sources, transfer reasons and outcomes
/// come from the menu or fixed vocabularies, SIP codes are three digits; never a caller's
/// number or a digit. The registry is thread-safe, so the SIP loop and every call's media
/// loop record into it without waiting for each other.
public final class GatewayMetrics: Sendable {
    /// Where the metrics are kept; `exposition()` renders it.
    public let registry: PrometheusCollectorRegistry

    private let activeCalls: Gauge
    private let confidence: ValueHistogram
    private let responseLatency: ValueHistogram
    private let rtpLost: Counter
    private let rtpJitter: ValueHistogram

    /// Upper bounds of `voicegate_recognition_confidence` (0.1 … 1.0).
    public static let confidenceBuckets: [Double] = (1...10).map { Double($0) / 10 }
    /// Upper bounds of `voicegate_response_latency_seconds`.
    public static let latencyBuckets: [Double] = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10]
    /// Upper bounds of `voicegate_rtp_jitter_seconds` (RFC 3550 interarrival jitter).
    public static let jitterBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]

    /// Metrics kept in `registry` (a fresh one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        activeCalls = registry.makeGauge(descriptor: Names.activeCalls)
        confidence = registry.makeValueHistogram(descriptor: Names.confidence, buckets: Self.confidenceBuckets)
        responseLatency = registry.makeValueHistogram(descriptor: Names.responseLatency, buckets: Self.latencyBuckets)
        rtpLost = registry.makeCounter(descriptor: Names.rtpLost)
        rtpJitter = registry.makeValueHistogram(descriptor: Names.rtpJitter, buckets: Self.jitterBuckets)
        // Every outcome from the start (at 0), so `rate()` and ratios work before the first of each.
        for outcome in [CallOutcome.selfServed, .transferred, .abandoned, .failed] {
            _ = counter(Names.calls, [("outcome", outcome.rawValue)])
        }
    }

    /// The Prometheus text exposition format (version 0.0.4) of every metric.
    public func exposition() -> String { registry.emitToString() }

    /// Sets `voicegate_active_calls`.
    public func setActiveCalls(_ count: Int) { activeCalls.set(Int64(count)) }

    /// Counts a call that ended, by its outcome (docs/records.md).
    public func callEnded(outcome: CallOutcome) {
        counter(Names.calls, [("outcome", outcome.rawValue)]).increment()
    }

    /// Counts a SIP response the gateway sent (by its status code).
    public func sipResponseSent(status: Int) {
        counter(Names.sipResponses, [("code", String(status))]).increment()
    }

    /// Observes one response latency: the end of the caller's input to the first audio of
    /// the prompt that answers it.
    public func observeResponseLatency(ms: Int64) {
        responseLatency.record(Double(ms) / 1000)
    }

    /// Adds RTP packets found lost in the caller's stream and observes its current jitter.
    public func observeRTPReception(lost: Int64, jitterSeconds: Double) {
        if lost > 0 { rtpLost.increment(by: lost) }
        rtpJitter.record(jitterSeconds)
    }

    /// Counts what one dialog trace event says about its node: entries, no-input, no-match,
    /// barge-ins and false barge-ins (by cause), intents by source (and speech confidence), transfers by reason.
    public func traceEvent(_ event: TraceEvent) {
        let node = event.node ?? "none"
        switch event.detail {
        case .node:
            counter(Names.nodeEntries, [("node", node)]).increment()
        case .noInput:
            counter(Names.noInput, [("node", node)]).increment()
        case .noMatch:
            counter(Names.noMatch, [("node", node)]).increment()
        case .prompt(_, _, .barged, _):
            counter(Names.bargeIns, [("node", node)]).increment()
        case let .intent(_, value, source):
            counter(Names.intents, [("node", node), ("source", source.rawValue)]).increment()
            if source == .speech { confidence.record(value) }
        case let .transfer(_, reason, _, _):
            counter(Names.transfers, [("reason", reason)]).increment()
        case let .falseBargeIn(cause, _, _):
            counter(Names.falseBargeIns, [("node", node), ("cause", cause.rawValue)]).increment()
        case .prompt, .dtmf, .lookup, .hangup, .bargeIn:
            break
        }
    }

    /// The counter of `descriptor` with these labels (the registry returns the same one
    /// for the same labels).
    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: descriptor, labels: labels)
    }

    /// Every metric's name and help text, in one place so they stay the same wherever used
    /// (the registry refuses one name with two help texts). Computed: the library's
    /// descriptor type is not `Sendable`, so it cannot be a stored static.
    enum Names {
        static var activeCalls: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "active_calls", unitName: "",
                helpText: "Calls in progress on the SIP side (ringing, answered, transferring).")
        }
        static var calls: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "calls", unitName: "total",
                helpText: "Calls that ended, by outcome: self_served, transferred, abandoned, failed.")
        }
        static var nodeEntries: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "node_entries", unitName: "total",
                helpText: "Times a call entered a menu node.")
        }
        static var noInput: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "node_noinput", unitName: "total",
                helpText: "No-input events (silence after a prompt) per menu node.")
        }
        static var noMatch: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "node_nomatch", unitName: "total",
                helpText: "No-match events (input that matched nothing) per menu node.")
        }
        static var bargeIns: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "bargeins", unitName: "total",
                helpText: "Prompts stopped by caller input, per menu node.")
        }
        static var falseBargeIns: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "false_bargeins", unitName: "total",
                helpText: "Barge-ins whose input then matched nothing, per menu node and cause (keyword, dtmf, energy).")
        }
        static var intents: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "intents", unitName: "total",
                helpText: "Intents recognised per menu node, by source (dtmf or speech).")
        }
        static var transfers: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "transfers", unitName: "total",
                helpText: "Transfers to an agent queue decided by the dialog, by reason.")
        }
        static var confidence: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "recognition_confidence", unitName: "",
                helpText: "Confidence of intents recognised from speech (0 to 1).")
        }
        static var responseLatency: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "response_latency", unitName: "seconds",
                helpText: "End of the caller's input (key or utterance) to the first audio of the answering prompt.")
        }
        static var rtpLost: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "rtp_packets_lost", unitName: "total",
                helpText: "RTP packets of callers' streams that never arrived (RFC 3550 cumulative loss).")
        }
        static var rtpJitter: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "rtp_jitter", unitName: "seconds",
                helpText: "Interarrival jitter of callers' RTP streams, sampled at each RTCP report and at call end.")
        }
        static var sipResponses: MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "voicegate", metricName: "sip_responses", unitName: "total",
                helpText: "SIP responses sent by the gateway, by status code.")
        }
    }
}
