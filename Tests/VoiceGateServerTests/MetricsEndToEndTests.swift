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
              <pause milliseconds="2500"/>
            """
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
}
