import Foundation
import Testing
import VoiceGateDialog

/// `Config/voicegate.yaml` as `voicegate serve` reads it: defaults, file values, and every bad
/// value reported as `file:line:column`.
@Suite struct ServerSettingsTests {
    @Test func theShippedFileAndTheDefaultTextMeanTheBuiltInDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: root.appendingPathComponent("Config/voicegate.yaml"), encoding: .utf8)
        #expect(try ServerSettings.read(yaml: shipped, file: "voicegate.yaml").get() == ServerSettings())
        #expect(try ServerSettings.read(yaml: ServerConfigCheck.defaultYAML, file: "d.yaml").get() == ServerSettings())
        let minimal = try ServerSettings.read(yaml: "bind: 127.0.0.1\n", file: "m.yaml").get()
        #expect(minimal == ServerSettings())
        #expect(minimal.allowedNetworks == [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!])
        #expect(minimal.maxCalls == 200 && minimal.maxNewCallsPerSecond == 50 && minimal.drainTimeoutSeconds == 30)
    }

    @Test func fileValuesOverrideTheDefaults() throws {
        let yaml = """
            bind: 10.0.0.5
            sip:
              port: 5080
            http:
              port: 0
            limits:
              max_calls: 12
              max_new_calls_per_second: 2.5
            trunk:
              allowed_networks:
                - 192.0.2.0/24
                - 2001:db8::/32
              on_disallowed: reject
            shutdown:
              drain_timeout_s: 45
            transfer:
              agent_uri: sips:queue@agents.example.com
              mode: refer-then-bridge
            rtp:
              port_range: 40000-40999
            timeouts:
              answer_delay_ms: 250
              session_idle_ms: 12000
              transfer_ms: 9000

            """
        let settings = try ServerSettings.read(yaml: yaml, file: "v.yaml").get()
        #expect(settings.bind == "10.0.0.5" && settings.sipPort == 5080 && settings.httpPort == 0)
        #expect(settings.maxCalls == 12 && settings.maxNewCallsPerSecond == 2.5)
        #expect(settings.allowedNetworks == [IPNetwork("192.0.2.0/24")!, IPNetwork("2001:db8::/32")!])
        #expect(settings.onDisallowed == .reject && settings.drainTimeoutSeconds == 45)
        #expect(settings.agentURI == "sips:queue@agents.example.com" && settings.transferMode == .referThenBridge)
        #expect(settings.rtpPorts == 40000...40999)
        #expect(settings.answerDelayMs == 250 && settings.mediaTimeoutMs == 12000 && settings.transferTimeoutMs == 9000)
        // A single network may be written without a list.
        let one = try ServerSettings.read(yaml: "trunk:\n  allowed_networks: 10.0.0.0/8\n", file: "o.yaml").get()
        #expect(one.allowedNetworks == [IPNetwork("10.0.0.0/8")!])
    }

    @Test func badValuesAndUnknownKeysAreReportedWithLineAndColumn() {
        let yaml = """
            limits:
              max_calls: 0
              max_new_calls_per_second: fast
            trunk:
              allowed_networks: ["10.0.0.0/8", "10.1.2.3/8", "2001:db8::/200"]
              on_disallowed: maybe
            shutdown:
              drain_timeout_s: -1
              drain_timeuot_s: 3
            transfer:
              mode: bridge
              agent_uri: http://agents
            rtp:
              port_range: 30000-20000
            http:
              port: 70000

            """
        guard case .failure(let failure) = ServerSettings.read(yaml: yaml, file: "bad.yaml") else {
            Issue.record("a bad file must not load")
            return
        }
        let lines = failure.problems.map(\.description)
        func expectProblem(_ prefix: String, _ words: String) {
            #expect(lines.contains { $0.hasPrefix(prefix) && $0.contains(words) }, "no '\(prefix) ... \(words)' in\n\(lines.joined(separator: "\n"))")
        }
        expectProblem("bad.yaml:2:14:", "max_calls")
        expectProblem("bad.yaml:3:29:", "must be a number")
        expectProblem("bad.yaml:5:36:", "10.1.2.3/8")
        expectProblem("bad.yaml:5:50:", "2001:db8::/200")
        expectProblem("bad.yaml:6:18:", "reject, drop")
        expectProblem("bad.yaml:8:20:", "must not be negative")
        expectProblem("bad.yaml:9:3:", "unknown key 'shutdown.drain_timeuot_s'")
        expectProblem("bad.yaml:11:9:", "refer, refer-then-bridge")
        expectProblem("bad.yaml:12:14:", "sip: or sips:")
        expectProblem("bad.yaml:14:15:", "LOW-HIGH")
        expectProblem("bad.yaml:16:9:", "0-65535")
        #expect(lines.count == 11, "\(lines)")
        // check-config reports the same problems.
        #expect(ServerConfigCheck.problems(yaml: yaml, file: "bad.yaml").map(\.description) == lines)
    }

    @Test func webhookAndAdminBindKeysAreReadAndChecked() throws {
        let yaml = """
            http:
              bind: 10.0.0.5
              secure_cookie: true
            webhooks:
              transfer:
                url: https://crm.example/hooks/transfer
                secret: sixteen-chars-ok
            """
        let settings = try ServerSettings.read(yaml: yaml, file: "w.yaml").get()
        #expect(settings.httpBind == "10.0.0.5" && settings.httpSecureCookie && settings.transferWebhookURL == "https://crm.example/hooks/transfer")
        #expect(settings.transferWebhookSecret == "sixteen-chars-ok")
        #expect(ServerSettings().httpBind == "127.0.0.1" && ServerSettings().transferWebhookURL == nil)
        let bad = "webhooks:\n  transfer:\n    url: ftp://x\n    secret: short\n"
        let problems = ServerConfigCheck.problems(yaml: bad, file: "b.yaml").map(\.description)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("b.yaml:3:") && $0.contains("http:// or https://") })
        #expect(problems.contains { $0.hasPrefix("b.yaml:4:") && $0.contains("at least 16 characters") })
    }
}
