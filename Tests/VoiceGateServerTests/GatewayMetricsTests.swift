import Foundation
import RTPCore
import Testing
import VoiceGateDialog
import VoiceGateServer

/// The value of the sample `series` (name and labels exactly as exposed) in Prometheus text.
func metricSample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1).trimmingCharacters(in: .whitespaces))
    }
    return nil
}

/// The sum of every sample of metric `name` (any labels) in Prometheus text.
func metricTotal(_ exposition: String, _ name: String) -> Double {
    exposition.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
        .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        .reduce(0, +)
}

/// `GatewayMetrics` fed with trace events, call ends, SIP responses, latencies and RTP
/// reception statistics, read back from its exposition text (each test has its own registry).
@Suite struct GatewayMetricsTests {
    /// A small transfer context (from its JSON form: the type has no public memberwise init).
    static func transferContext() throws -> TransferContext {
        let object: [String: Any] = [
            "call_id": "c1", "ani": "+15550001", "language": "en", "intent_path": [] as [Any], "keywords": [] as [Any],
            "verified": false, "masked_fields": [:] as [String: Any], "failure_counts": [:] as [String: Any],
            "identification_failures": 0, "frustration": false, "assisted": false, "time_in_ivr_ms": 4200,
            "reason": "caller_asked", "queue": "general", "priority": 1,
        ]
        return try JSONDecoder().decode(TransferContext.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func traceEventsCountPerNode() throws {
        let metrics = GatewayMetrics()
        let context = try Self.transferContext()
        let events: [TraceEvent] = [
            TraceEvent(atMs: 0, node: "greeting", .node),
            TraceEvent(atMs: 10, node: "greeting", .prompt(id: "greeting", language: .en, state: .started, playID: "p1")),
            TraceEvent(atMs: 900, node: "greeting", .prompt(id: "greeting", language: .en, state: .barged, playID: "p1")),
            TraceEvent(atMs: 900, node: "greeting", .dtmf(digit: "1", masked: false, typeAhead: false)),
            TraceEvent(atMs: 900, node: "greeting", .intent(name: "balance", confidence: 1, source: .dtmf)),
            TraceEvent(atMs: 1000, node: "main_menu", .node),
            TraceEvent(atMs: 6000, node: "main_menu", .noInput(count: 1)),
            TraceEvent(atMs: 8000, node: "main_menu", .prompt(id: "main_menu", language: .en, state: .barged, playID: "p2")),
            TraceEvent(atMs: 8000, node: "main_menu", .bargeIn(cause: .energy, id: "main_menu", playID: "p2", intent: nil, confidence: nil)),
            TraceEvent(atMs: 9000, node: "main_menu", .noMatch(count: 1, loud: false)),
            TraceEvent(atMs: 9000, node: "main_menu", .falseBargeIn(cause: .energy, id: "main_menu", playID: "p2")),
            TraceEvent(atMs: 9500, node: "main_menu", .intent(name: "agent", confidence: 0.85, source: .speech)),
            TraceEvent(atMs: 9600, node: "main_menu", .node),
            TraceEvent(atMs: 9700, node: "agent", .transfer(queue: "general", reason: "caller_asked", priority: 1, context: context)),
        ]
        for event in events { metrics.traceEvent(event) }
        let text = metrics.exposition()
        #expect(metricSample(text, #"voicegate_node_entries_total{node="greeting"}"#) == 1, "\(text)")
        #expect(metricSample(text, #"voicegate_node_entries_total{node="main_menu"}"#) == 2)
        #expect(metricSample(text, #"voicegate_node_noinput_total{node="main_menu"}"#) == 1)
        #expect(metricSample(text, #"voicegate_node_nomatch_total{node="main_menu"}"#) == 1)
        #expect(metricSample(text, #"voicegate_bargeins_total{node="greeting"}"#) == 1)
        #expect(metricSample(text, #"voicegate_bargeins_total{node="main_menu"}"#) == 1, "one barge-in, one count")
        #expect(metricSample(text, #"voicegate_false_bargeins_total{cause="energy",node="main_menu"}"#) == 1
                    || metricSample(text, #"voicegate_false_bargeins_total{node="main_menu",cause="energy"}"#) == 1, "\(text)")
        #expect(!text.contains(#"voicegate_false_bargeins_total{node="greeting""#))
        #expect(metricSample(text, #"voicegate_intents_total{node="greeting",source="dtmf"}"#) == 1)
        #expect(metricSample(text, #"voicegate_intents_total{node="main_menu",source="speech"}"#) == 1)
        #expect(metricSample(text, #"voicegate_transfers_total{reason="caller_asked"}"#) == 1)
        // Only speech has a recognition confidence: 0.85 lies in (0.8, 0.9].
        #expect(metricSample(text, "voicegate_recognition_confidence_count") == 1)
        #expect(metricSample(text, #"voicegate_recognition_confidence_bucket{le="0.8"}"#) == 0)
        #expect(metricSample(text, #"voicegate_recognition_confidence_bucket{le="0.9"}"#) == 1)
        // The digit never becomes a label value.
        #expect(!text.contains(#""1""#))
    }

    @Test func callsResponsesAndActiveCallsAreCounted() {
        let metrics = GatewayMetrics()
        let before = metrics.exposition()
        // Every outcome is exposed (at 0) before the first call ends.
        for outcome in ["self_served", "transferred", "abandoned", "failed"] {
            #expect(metricSample(before, "voicegate_calls_total{outcome=\"\(outcome)\"}") == 0, "\(before)")
        }
        metrics.callEnded(outcome: .selfServed)
        metrics.callEnded(outcome: .selfServed)
        metrics.callEnded(outcome: .abandoned)
        for status in [100, 200, 200, 503] { metrics.sipResponseSent(status: status) }
        metrics.setActiveCalls(3)
        metrics.setActiveCalls(2)
        let text = metrics.exposition()
        #expect(metricSample(text, #"voicegate_calls_total{outcome="self_served"}"#) == 2, "\(text)")
        #expect(metricSample(text, #"voicegate_calls_total{outcome="abandoned"}"#) == 1)
        #expect(metricSample(text, #"voicegate_calls_total{outcome="transferred"}"#) == 0)
        #expect(metricSample(text, #"voicegate_sip_responses_total{code="200"}"#) == 2)
        #expect(metricSample(text, #"voicegate_sip_responses_total{code="503"}"#) == 1)
        #expect(metricSample(text, "voicegate_active_calls") == 2)
        #expect(text.contains("# TYPE voicegate_calls_total counter") && text.contains("# HELP voicegate_calls_total"))
        // Registries are separate: another instance saw none of this.
        #expect(metricSample(GatewayMetrics().exposition(), #"voicegate_calls_total{outcome="self_served"}"#) == 0)
    }

    @Test func responseLatencyFallsInItsBucket() {
        let metrics = GatewayMetrics()
        metrics.observeResponseLatency(ms: 420)
        metrics.observeResponseLatency(ms: 1800)
        let text = metrics.exposition()
        #expect(metricSample(text, "voicegate_response_latency_seconds_count") == 2, "\(text)")
        #expect(metricSample(text, #"voicegate_response_latency_seconds_bucket{le="0.3"}"#) == 0)
        #expect(metricSample(text, #"voicegate_response_latency_seconds_bucket{le="0.5"}"#) == 1)
        #expect(metricSample(text, #"voicegate_response_latency_seconds_bucket{le="2.0"}"#) == 2)
        #expect(abs((metricSample(text, "voicegate_response_latency_seconds_sum") ?? 0) - 2.22) < 1e-9)
    }

    @Test func rtpLossAndJitterComeFromTheReceptionStatistics() {
        let metrics = GatewayMetrics()
        var sampler = RTPReceptionSampler()
        var reception = ReceptionStatistics(ssrc: 0x1234, clockRate: 8000)
        #expect(sampler.sample(reception) == nil, "nothing received yet")
        // 100 packets, 20 ms apart, every 10th lost; arrival wobbles by ±4 ms.
        for k in 0..<100 where k % 10 != 9 {
            _ = reception.record(sequenceNumber: UInt16(1000 + k), timestamp: UInt32(k * 160),
                                 arrivalMs: Int64(k * 20 + (k % 2 == 0 ? 4 : -4)))
        }
        sampler.report(reception, to: metrics)
        sampler.report(reception, to: metrics)  // nothing new lost: the count does not grow
        let text = metrics.exposition()
        let lost = reception.cumulativeLost
        #expect(lost >= 9, "the last packet was lost too, so it is not yet known: \(lost)")
        #expect(metricSample(text, "voicegate_rtp_packets_lost_total") == Double(lost), "\(text)")
        #expect(metricSample(text, "voicegate_rtp_jitter_seconds_count") == 2)
        let jitter = Double(reception.jitter) / 8000
        #expect(jitter > 0.002 && jitter < 0.02, "±4 ms wobble: \(jitter) s")
        #expect(metricSample(text, #"voicegate_rtp_jitter_seconds_bucket{le="0.001"}"#) == 0)
        #expect(metricSample(text, #"voicegate_rtp_jitter_seconds_bucket{le="0.02"}"#) == 2)
    }
}
