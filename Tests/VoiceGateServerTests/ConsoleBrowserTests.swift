import Foundation
import Glibc
import Testing
import VoiceGateStore

/// The console as a person uses it: `voicegate serve --db` takes a few real calls from sipp
/// (keys by SIP INFO into the masked account-digit node, a key by RFC 4733, a caller who hangs
/// up in the greeting), then headless Chromium opens the Funnel, Calls and a call's timeline.
@Suite(.serialized) struct ConsoleBrowserTests {
    static var enabled: Bool { SippEndToEndTests.sippPath != nil && ConsoleBrowser.chromiumPath != nil }
    static let account = "7395"

    /// INVITE/ACK, key 1 (balance) by INFO in the greeting, then `digits` one INFO each (the
    /// account's last 4, masked by the node), a pause, and the caller's BYE.
    static func keysScenario(digits: String) -> String {
        let full = SippEndToEndTests.scenario(middle: "")
        let marker = "  <send retrans=\"500\">\n    <![CDATA[\nBYE"
        let head = full.components(separatedBy: marker)[0]
        let bye = marker + full.components(separatedBy: marker)[1]
        var cseq = 1
        func info(_ key: Character, pause: Int) -> String {
            cseq += 1
            return """
                  <pause milliseconds="\(pause)"/>
                  <send retrans="500">
                    <![CDATA[
                INFO sip:ivr@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: \(cseq) INFO
                Max-Forwards: 70
                Content-Type: application/dtmf-relay
                Content-Length: [len]

                Signal=\(key)
                Duration=160
                ]]>
                  </send>
                  <recv response="200"/>

                """
        }
        var middle = info("1", pause: 800)
        for digit in digits { middle += info(digit, pause: 400) }
        middle += "  <pause milliseconds=\"800\"/>\n"
        return head + middle + bye.replacingOccurrences(of: "CSeq: 2 BYE", with: "CSeq: \(cseq + 1) BYE")
    }

    /// Waits until the database holds `count` finished calls.
    static func finishedCalls(_ path: String, count: Int) async throws -> [CallRecord] {
        let store = try CallStore(path: path, recoverOpenCalls: false)
        defer { try? store.close() }
        let deadline = Date().addingTimeInterval(10)
        while true {
            let calls = try await store.calls()
            if calls.filter({ $0.outcome != nil }).count >= count || Date() > deadline { return calls }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The integer in the funnel table's `column` cell of `node`'s row.
    static func cell(_ dom: String, node: String, column: String) -> Int? {
        guard let row = dom.range(of: #"<tr class="node"#),
              let nodeRow = dom[row.lowerBound...].range(of: #"data-node="\#(node)">"#) else { return nil }
        let rest = dom[nodeRow.upperBound...]
        let rowText = rest.prefix { $0 != "\n" }.components(separatedBy: "</tr>")[0]
        guard let cell = rowText.range(of: #"class="num \#(column)">"#) else { return nil }
        return Int(rowText[cell.upperBound...].prefix { $0.isNumber })
    }

    @Test(.enabled(if: enabled, "needs sipp (sip-tester) and chromium; run make setup"))
    func funnelCallsAndTimelineInAHeadlessBrowser() async throws {
        let run = try ServerRun()
        defer { run.stop() }
        var placed = 0
        let keys = try run.sipp(scenario: Self.keysScenario(digits: Self.account))
        #expect(keys.status == 0, "sipp (INFO keys) failed:\n\(keys.output)\nserver log:\n\(run.log())")
        placed += 1
        let early = try run.sipp(scenario: SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"1000\"/>"))
        #expect(early.status == 0, "sipp (early hang-up) failed:\n\(early.output)")
        placed += 1
        let pcap = "/usr/share/sip-tester/dtmf_2833_1.pcap"
        if FileManager.default.fileExists(atPath: pcap) {
            let middle = """
                  <pause milliseconds="1500"/>
                  <nop><action><exec play_pcap_audio="\(pcap)"/></action></nop>
                  <pause milliseconds="2000"/>
                """
            let rfc4733 = try run.sipp(scenario: SippEndToEndTests.scenario(middle: middle))
            #expect(rfc4733.status == 0, "sipp (RFC 4733) failed:\n\(rfc4733.output)")
            placed += 1
        }
        let calls = try await Self.finishedCalls(run.directory.appendingPathComponent("db.sqlite").path, count: placed)
        #expect(calls.count == placed, "log:\n\(run.log())")

        let port = try ServeOpsTests.adminPort(run)
        // A viewer signs in (HTTP Basic via the URL, answered to the console's challenge); without
        // credentials the console shows no data.
        try run.addAdminUser("viewer1", role: "viewer", password: "a viewer passphrase")
        let refused = try #require(httpRequest(port: port, path: "/console/funnel"))
        #expect(refused.status == 401 && !refused.body.contains("funnel-chart") && refused.body.contains("/login"))
        let browser = ConsoleBrowser(baseURL: "http://127.0.0.1:\(port)",
                                     credential: .init(user: "viewer1", password: "a viewer passphrase"),
                                     profile: run.directory.appendingPathComponent("browser"))

        // Funnel: every call entered the greeting; one hung up there; two went on with key 1.
        let funnel = try browser.dom("/console/funnel")
        #expect(funnel.contains("<svg") && funnel.contains("funnel-chart") && funnel.contains("latency-chart"))
        #expect(Self.cell(funnel, node: "greeting", column: "entered") == placed, "funnel:\n\(funnel)")
        #expect(Self.cell(funnel, node: "greeting", column: "hungup") == 1)
        #expect(Self.cell(funnel, node: "greeting", column: "succeeded") == placed - 1)
        #expect((Self.cell(funnel, node: "identify_account", column: "entered") ?? 0) >= 1)
        #expect(funnel.contains(#"data-node="greeting""#) && funnel.contains(#"data-node="identify_account""#))
        #expect(funnel.contains("target <b>70%</b>") && !funnel.contains("GRDB"))
        #expect(funnel.contains(#"class="call-count">\#(placed)<"#))

        // Calls: all of them, newest first; filtered by node and by caller (a form-encoded '+').
        let list = try browser.dom("/console/calls")
        let links = Self.callLinks(list)
        #expect(links.count == placed, "calls page:\n\(list)")
        #expect(list.contains(#"<option value="abandoned">abandoned</option>"#) && !list.contains("GRDB"), "calls page:\n\(list)")
        let abandoned = Self.callLinks(try browser.dom("/console/calls?outcome=abandoned"))
        let transferred = Self.callLinks(try browser.dom("/console/calls?outcome=transferred"))
        #expect(abandoned.count + transferred.count <= placed && transferred.isEmpty)
        let inAccount = Self.callLinks(try browser.dom("/console/calls?node=identify_account&caller=%2B15550001"))
        #expect(inAccount.count == placed - 1)
        #expect(Self.callLinks(try browser.dom("/console/calls?caller=%2B15559999")).isEmpty)
        #expect(Self.callLinks(try browser.dom("/console/calls?limit=1&offset=1")).count == 1)

        // The timeline of the INFO call (the oldest): prompts, what was heard, masked digits.
        let keysCall = try #require(calls.last)
        let link = try #require(links.first { $0.removingPercentEncoding?.hasSuffix(keysCall.id) == true },
                                "no link to \(keysCall.id) in \(links)")
        let timeline = try browser.dom(link)
        #expect(timeline.contains("greeting") && timeline.contains("prompt") && timeline.contains("identify_account"))
        #expect(timeline.contains("<b>balance</b> confidence 1.00 via dtmf"), "timeline:\n\(timeline)")
        let digitCells = timeline.components(separatedBy: #"<span class="digit">"#).dropFirst()
            .map { String($0.prefix { $0 != "<" }) }
        #expect(digitCells.filter { $0 == "*" }.count >= Self.account.count, "digits: \(digitCells)")
        #expect(digitCells.allSatisfy { $0 == "*" || $0 == "1" }, "an account digit in clear: \(digitCells)")
        #expect(!timeline.contains(Self.account))
        #expect(timeline.contains("by caller") && !timeline.contains("GRDB"))

        let missing = try browser.dom("/console/calls/no-such-call")
        #expect(missing.contains("Call not found"))

        // Privacy: the account digits typed by the caller are nowhere in clear — not in the
        // records database (its file, WAL and shared memory, read raw), the server's log or the traces.
        let files = ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm", "server.log"].map { run.directory.appendingPathComponent($0) }
            + ((try? FileManager.default.contentsOfDirectory(at: run.directory.appendingPathComponent("traces"),
                                                              includingPropertiesForKeys: nil)) ?? [])
        var searched = 0
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: file.path) else { continue }
            searched += 1
            #expect(bytes.range(of: Data(Self.account.utf8)) == nil, "\(file.lastPathComponent) holds the account digits")
        }
        #expect(searched >= 4, "the database, log and traces were searched")

        if let shot = ProcessInfo.processInfo.environment["VOICEGATE_CONSOLE_SCREENSHOT"] {
            try browser.screenshot("/console/funnel", to: URL(fileURLWithPath: shot))
            try browser.screenshot("/console/calls", to: URL(fileURLWithPath: shot + "-calls.png"))
            try browser.screenshot(link, to: URL(fileURLWithPath: shot + "-timeline.png"))
        }
    }

    /// The `/console/calls/...` links of the Calls table's call-id column.
    static func callLinks(_ dom: String) -> [String] {
        dom.components(separatedBy: #"<a class="call-link" href=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }
}
