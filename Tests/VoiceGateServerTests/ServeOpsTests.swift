import Foundation
import Glibc
import Testing
import VoiceGateTestSupport

/// `voicegate serve` as a service, over real sockets: admin HTTP (/health, /ready), the source
/// allow-list and calls-per-second limit from the config file (flags override it), and the
/// shutdown: first SIGTERM drains, the drain timeout or a second SIGTERM ends calls with BYE.
@Suite struct ServeOpsTests {
    /// The admin HTTP port the server printed.
    static func adminPort(_ run: ServerRun) throws -> Int {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let log = run.log()
            if let range = log.range(of: "admin http on http://127.0.0.1:"),
               let port = Int(log[range.upperBound...].prefix { $0.isNumber }) { return port }
            usleep(50_000)
        }
        throw TestFailure("no admin http line; log:\n\(run.log())")
    }

    /// A config file in a fresh temporary folder.
    static func configFile(_ yaml: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-ops-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A body-less INVITE (admission answers before the SDP is looked at).
    static func bareInvite(_ caller: RTPStreamTests.Caller) -> String { caller.request("INVITE", cseq: 1) }

    /// The first SIP response on `socket` within `timeoutMs`, skipping 100 Trying.
    static func finalResponse(_ socket: UDPSocket, timeoutMs: Int = 2000) -> String? {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while Date() < deadline {
            if let text = socket.receive(timeoutMs: 100).map({ String(decoding: $0, as: UTF8.self) }),
               text.hasPrefix("SIP/2.0 "), !text.hasPrefix("SIP/2.0 100") { return text }
        }
        return nil
    }

    @Test func healthAndReadyAnswerOverHTTP() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try Self.adminPort(run)
        let health = try #require(httpGet(port: port, path: "/health"))
        #expect(health.status == 200 && health.body.contains(#"{"status":"ok"}"#), "\(health)")
        let ready = try #require(httpGet(port: port, path: "/ready"))
        #expect(ready.status == 200 && ready.body.contains(#""status":"ready""#), "\(ready)")
        // Unknown paths are behind authentication too: 401, not a 404 that maps the routes.
        #expect(httpGet(port: port, path: "/nothing-here")?.status == 401)
    }

    @Test func disallowedSourceGets403FromTheFileAndTheFlagOverridesTheFile() throws {
        // The file's http.port is a port in use: only --http-port 0 (ServerRun's flag) lets it start.
        let busy = try TCPListener()
        let config = try Self.configFile("""
            trunk:
              allowed_networks: ["10.0.0.0/8", "2001:db8::/32"]
              on_disallowed: reject
            http:
              port: \(busy.port)

            """)
        defer { try? FileManager.default.removeItem(at: config) }
        let run = try ServerRun(extraArguments: ["--config", config.path])
        defer { run.stop() }
        #expect(try Self.adminPort(run) != busy.port)
        let caller = try RTPStreamTests.Caller(run: run)
        try caller.sip.send(Self.bareInvite(caller), toPort: run.sipPort)
        let answer = try #require(Self.finalResponse(caller.sip), "no answer; log:\n\(run.log())")
        #expect(answer.hasPrefix("SIP/2.0 403"), "\(answer)")
        try caller.sip.send(caller.request("OPTIONS", cseq: 2), toPort: run.sipPort)
        #expect(Self.finalResponse(caller.sip)?.hasPrefix("SIP/2.0 403") == true)
        #expect(run.log().contains("not in trunk.allowed_networks"))
    }

    @Test func disallowedSourceInDropModeGetsNoAnswer() throws {
        let config = try Self.configFile("trunk:\n  allowed_networks: [\"10.0.0.0/8\"]\n  on_disallowed: drop\n")
        defer { try? FileManager.default.removeItem(at: config) }
        let run = try ServerRun(extraArguments: ["--config", config.path])
        defer { run.stop() }
        let caller = try RTPStreamTests.Caller(run: run)
        try caller.sip.send(Self.bareInvite(caller), toPort: run.sipPort)
        try caller.sip.send(caller.request("OPTIONS", cseq: 2), toPort: run.sipPort)
        #expect(caller.sip.receive(timeoutMs: 1000) == nil, "a dropped source must hear nothing")
        // The same server answers a loopback caller once the file allows it: here it does not,
        // so the log says why.
        #expect(run.log().contains("ignored INVITE from"), "\(run.log())")
    }

    @Test func newCallsBeyondTheRateGet503WithRetryAfter() throws {
        let run = try ServerRun(extraArguments: ["--max-calls-per-second", "1"])
        defer { run.stop() }
        let first = try RTPStreamTests.Caller(run: run)
        try first.sip.send(Self.bareInvite(first), toPort: run.sipPort)
        let firstAnswer = try #require(Self.finalResponse(first.sip))
        #expect(firstAnswer.hasPrefix("SIP/2.0 200"), "admitted (an offerless INVITE: our offer in the 200): \(firstAnswer)")
        let second = try RTPStreamTests.Caller(run: run)
        try second.sip.send(Self.bareInvite(second), toPort: run.sipPort)
        let secondAnswer = try #require(Self.finalResponse(second.sip))
        #expect(secondAnswer.hasPrefix("SIP/2.0 503") && secondAnswer.contains("Retry-After: 1"), "\(secondAnswer)")
    }

    @Test func badConfigValueStopsTheStartWithFileLineAndColumn() throws {
        let config = try Self.configFile("limits:\n  max_calls: 10\n  max_new_calls_per_second: -3\n")
        defer { try? FileManager.default.removeItem(at: config) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = try voicegateBinary()
        process.currentDirectoryURL = root
        process.arguments = ["serve", "--config", config.path, "--sip-port", "0", "--http-port", "0"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let status = wait(process, seconds: 30)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status != 0 && status != -9)
        #expect(text.contains("\(config.path):3:29:") && text.contains("must not be negative"), "\(text)")
    }

    @Test func sigtermDrainsThenTheTimeoutEndsTheCallWithBye() throws {
        let run = try ServerRun(extraArguments: ["--drain-timeout", "2"])
        defer { run.stop() }
        let port = try Self.adminPort(run)
        var caller = try RTPStreamTests.Caller(run: run)
        _ = try caller.call()
        let signalled = Date()
        kill(run.process.processIdentifier, SIGTERM)
        try waitForLog(run, "draining")
        let ready = try #require(httpGet(port: port, path: "/ready"))
        #expect(ready.status == 503 && ready.body.contains(#""status":"draining""#), "\(ready)")
        #expect(httpGet(port: port, path: "/health")?.status == 200)
        let late = try RTPStreamTests.Caller(run: run)
        try late.sip.send(Self.bareInvite(late), toPort: run.sipPort)
        let refused = try #require(Self.finalResponse(late.sip))
        #expect(refused.hasPrefix("SIP/2.0 503") && refused.contains("Retry-After:"), "\(refused)")

        let bye = try #require(try receiveBye(caller, seconds: 5), "no BYE after the drain timeout; log:\n\(run.log())")
        let waited = Date().timeIntervalSince(signalled)
        #expect(waited >= 1.7 && waited < 4, "BYE \(waited) s after SIGTERM with --drain-timeout 2")
        #expect(bye.contains("Call-ID: \(caller.callID)"))
        #expect(wait(run.process, seconds: 5) == 0, "exit status; log:\n\(run.log())")
        #expect(run.log().contains("drain timeout"))
    }

    @Test func secondSigtermEndsCallsAtOnce() throws {
        let run = try ServerRun(extraArguments: ["--drain-timeout", "30"])
        defer { run.stop() }
        var caller = try RTPStreamTests.Caller(run: run)
        _ = try caller.call()
        kill(run.process.processIdentifier, SIGTERM)
        try waitForLog(run, "draining")
        #expect(caller.sip.receive(timeoutMs: 300).map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("BYE") != true,
                "one SIGTERM with 30 s to drain must not hang up yet")
        let second = Date()
        kill(run.process.processIdentifier, SIGTERM)
        #expect(try receiveBye(caller, seconds: 3) != nil, "no BYE after the second SIGTERM; log:\n\(run.log())")
        #expect(wait(run.process, seconds: 3) == 0)
        #expect(Date().timeIntervalSince(second) < 3)
    }

    @Test func drainEndsAsSoonAsTheLastCallerHangsUp() throws {
        let run = try ServerRun(extraArguments: ["--drain-timeout", "30"])
        defer { run.stop() }
        var caller = try RTPStreamTests.Caller(run: run)
        _ = try caller.call()
        kill(run.process.processIdentifier, SIGTERM)
        try waitForLog(run, "draining")
        // The caller's BYE is in a dialog: draining lets it through (200), and no call is left.
        try caller.sip.send(caller.request("BYE", cseq: 2), toPort: run.sipPort)
        var byeAnswered = false
        let deadline = Date().addingTimeInterval(3)
        while !byeAnswered, Date() < deadline {
            if let text = caller.sip.receive(timeoutMs: 100).map({ String(decoding: $0, as: UTF8.self) }) {
                byeAnswered = text.hasPrefix("SIP/2.0 200") && text.contains("CSeq: 2 BYE")
            }
        }
        #expect(byeAnswered, "log:\n\(run.log())")
        #expect(wait(run.process, seconds: 5) == 0)
        #expect(run.log().contains("drained: every call has ended"), "\(run.log())")
    }

    @Test func sigtermWithoutCallsStopsAtOnce() throws {
        let run = try ServerRun(extraArguments: ["--drain-timeout", "30"])
        defer { run.stop() }
        let start = Date()
        kill(run.process.processIdentifier, SIGTERM)
        #expect(wait(run.process, seconds: 5) == 0)
        #expect(Date().timeIntervalSince(start) < 3, "nothing to drain: no waiting")
    }

    func waitForLog(_ run: ServerRun, _ text: String, seconds: Double = 5) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !run.log().contains(text) {
            guard Date() < deadline else { throw TestFailure("no '\(text)' in the log:\n\(run.log())") }
            usleep(20_000)
        }
    }

    /// The server's BYE to `caller` (answered 200), or nil after `seconds`.
    func receiveBye(_ caller: RTPStreamTests.Caller, seconds: Double) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let text = caller.sip.receive(timeoutMs: 100).map({ String(decoding: $0, as: UTF8.self) }),
                  text.hasPrefix("BYE ") else { continue }
            // Answer it (Via, From, To, Call-ID, CSeq copied), as a phone would.
            let copied = text.split(separator: "\r\n").filter { line in
                ["Via:", "From:", "To:", "Call-ID:", "CSeq:"].contains { line.hasPrefix($0) }
            }
            try caller.sip.send("SIP/2.0 200 OK\r\n" + copied.joined(separator: "\r\n") + "\r\nContent-Length: 0\r\n\r\n",
                                toPort: caller.run.sipPort)
            return text
        }
        return nil
    }
}

/// `GET path` on 127.0.0.1:`port` (see `httpRequest`): the status and body, or nil when nothing
/// answers within 3 s.
func httpGet(port: Int, path: String) -> (status: Int, body: String)? {
    httpRequest(port: port, path: path).map { ($0.status, $0.body) }
}
