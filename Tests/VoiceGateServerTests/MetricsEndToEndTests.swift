import Foundation
import Glibc
import Testing
import VoiceGateTestSupport

/// `GET /metrics` of a real `voicegate serve` over HTTP, before and after one sipp call that
/// presses a key by RFC 4733.
@Suite(.serialized) struct MetricsEndToEndTests {
    static var canCall: Bool {
        SippEndToEndTests.sippPath != nil && FileManager.default.fileExists(atPath: "/usr/share/sip-tester/dtmf_2833_1.pcap")
    }

    /// The whole HTTP response to `GET path` (status line, headers and body), or nil.
    static func rawGet(port: Int, path: String) -> String? {
        httpRequest(port: port, path: path).map { $0.headers + "\r\n\r\n" + $0.body }  // headers start with the status line
    }

    @Test(.enabled(if: canCall, "sipp (sip-tester) and its RFC 4733 pcap files are not installed; run make setup"))
    func aCallShowsUpInTheMetrics() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let first = try #require(Self.rawGet(port: port, path: "/metrics"), "no answer; log:\n\(run.log())")
        #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
        #expect(first.lowercased().contains("content-type: text/plain; version=0.0.4"), "\(first)")
        let before = try #require(httpGet(port: port, path: "/metrics")).body
        #expect(metricSample(before, "voicegate_active_calls") == 0, "\(before)")
        #expect(metricTotal(before, "voicegate_calls_total") == 0)

        // Key 1 (balance) by RFC 4733 during the greeting, then the caller hangs up.
        let middle = """
              <pause milliseconds="1500"/>
              <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_1.pcap"/></action></nop>
              <pause milliseconds="6000"/>
            """
        // 6 s after the key: the answer's first rendering (eSpeak, debug build, busy machine) must
        // start playing before the hang-up for its latency to be measured.
        let sipp = try run.sipp(scenario: SippEndToEndTests.scenario(middle: middle))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")

        // The call's outcome is counted when its media loop has wound down: a moment after the BYE.
        var text = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            text = httpGet(port: port, path: "/metrics")?.body ?? ""
            if metricTotal(text, "voicegate_calls_total") >= 1, metricSample(text, "voicegate_active_calls") == 0 { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(metricTotal(text, "voicegate_calls_total") == 1, "one call ended:\n\(text)\nlog:\n\(run.log())")
        #expect((metricSample(text, #"voicegate_sip_responses_total{code="200"}"#) ?? 0) >= 2, "INVITE and BYE answered 200:\n\(text)")
        #expect((metricSample(text, #"voicegate_node_entries_total{node="greeting"}"#) ?? 0) >= 1, "\(text)")
        #expect(metricTotal(text, "voicegate_intents_total") >= 1 && text.contains(#"source="dtmf""#), "\(text)")
        #expect(!text.contains(#"source="speech""#))
        #expect((metricSample(text, "voicegate_response_latency_seconds_count") ?? 0) >= 1, "the key was answered:\n\(text)")
        #expect(metricSample(text, "voicegate_active_calls") == 0, "\(text)")
        #expect(!text.contains("+15550001"), "no caller number in any label")
    }

    /// `/metrics` once `ready` says the call has wound down (5 s at most), else the last text.
    static func metrics(port: Int, until ready: (String) -> Bool) -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            text = httpGet(port: port, path: "/metrics")?.body ?? ""
            if ready(text) { break }
            usleep(100_000)
        } while Date() < deadline
        return text
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func transfersCountWhenSIPSettlesThem() throws {
        // Accepted REFER and a final NOTIFY 200: transferred.
        let run = try ServerRun(extraArguments: ["--agent-uri", "sip:agents@127.0.0.1:5999", "--transfer-timeout", "5",
                                                 "--transfer-mode", "refer"])
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let accepted = try SippProcess(run: run, name: "caller", scenario: SippTransferTests.callerScenario(
            referStatus: 202, afterRefer: SippTransferTests.notifyDoneThenBye))
        #expect(accepted.wait() == 0, "caller sipp failed:\n\(accepted.output())\nserver log:\n\(run.log())")
        var text = Self.metrics(port: port) { metricTotal($0, "voicegate_calls_total") >= 1 }
        #expect(metricSample(text, #"voicegate_calls_total{outcome="transferred"}"#) == 1, "\(text)\nlog:\n\(run.log())")
        #expect(metricTotal(text, "voicegate_transfers_total") == 1, "\(text)")
        #expect(metricSample(text, #"voicegate_sip_responses_total{code="200"}"#) ?? 0 >= 3, "INVITE, INFO, NOTIFY: \(text)")

        // A refused REFER with --transfer-mode refer: the call ends, the transfer failed.
        let refused = try SippProcess(run: run, name: "caller", scenario: SippTransferTests.callerScenario(
            referStatus: 603, afterRefer: SippTransferTests.answerBye))
        #expect(refused.wait() == 0, "caller sipp failed:\n\(refused.output())\nserver log:\n\(run.log())")
        text = Self.metrics(port: port) { metricTotal($0, "voicegate_calls_total") >= 2 }
        #expect(metricSample(text, #"voicegate_calls_total{outcome="failed"}"#) == 1, "\(text)\nlog:\n\(run.log())")
        #expect(metricSample(text, #"voicegate_calls_total{outcome="transferred"}"#) == 1)
        #expect(metricTotal(text, "voicegate_transfers_total") == 2, "the dialog decided two transfers: \(text)")
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func callersRTPGivesJitterSamples() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        // Two seconds of μ-law silence (0xFF) as RTP (sipp paces it at 20 ms): no speech, no keys.
        let audio = run.directory.appendingPathComponent("silence.ulaw")
        try Data(repeating: 0xFF, count: 16000).write(to: audio)
        let middle = """
              <nop><action><exec rtp_stream="\(audio.path),1,0"/></action></nop>
              <pause milliseconds="2500"/>
            """
        let sipp = try run.sipp(scenario: SippEndToEndTests.scenario(middle: middle))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let text = Self.metrics(port: port) { metricTotal($0, "voicegate_calls_total") >= 1 }
        #expect((metricSample(text, "voicegate_rtp_jitter_seconds_count") ?? 0) >= 1, "sampled at the call's end:\n\(text)")
        #expect(metricSample(text, #"voicegate_rtp_jitter_seconds_bucket{le="+Inf"}"#) == metricSample(text, "voicegate_rtp_jitter_seconds_count"))
        #expect(metricSample(text, "voicegate_rtp_packets_lost_total") == 0, "nothing is lost on loopback: \(text)")
    }
}
