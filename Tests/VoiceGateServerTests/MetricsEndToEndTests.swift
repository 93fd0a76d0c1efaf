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

    /// The whole HTTP response to `GET path` (headers and body), or nil.
    static func rawGet(port: Int, path: String) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            received += buffer.prefix(n)
        }
        return String(decoding: received, as: UTF8.self)
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
