import Crypto
import Foundation
import Glibc
import Testing
import VoiceGateStore

/// A transfer through `voicegate serve --db` with a webhook receiver that fails the first
/// attempt (HTTP 500) and accepts the second: the receiver gets the context JSON, signed with
/// HMAC-SHA-256 of the shared secret, twice with the same delivery id; the outbox row ends
/// delivered; `GET /api/calls/{id}/context` returns the same context to a viewer.
@Suite(.serialized) struct TransferWebhookTests {
    /// A receiver (python3, standard library) on a free loopback port: answers 500 to the first
    /// POST and 200 to the others, and appends each request (headers, body, status) as a JSON
    /// line to `log`.
    final class Receiver {
        let process = Process()
        let port: Int
        let log: URL

        init(directory: URL) throws {
            log = directory.appendingPathComponent("receiver.jsonl")
            let script = directory.appendingPathComponent("receiver.py")
            try Self.script.write(to: script, atomically: true, encoding: .utf8)
            let portFile = directory.appendingPathComponent("receiver.port")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path, log.path, portFile.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            var port: Int?
            while port == nil, Date() < deadline {
                port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                if port == nil { usleep(50_000) }
            }
            guard let port else { throw TestFailure("the webhook receiver did not start") }
            self.port = port
        }

        /// The requests received so far.
        func requests() -> [[String: Any]] {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        static let script = #"""
            import json, signal, sys
            from http.server import BaseHTTPRequestHandler, HTTPServer
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            LOG, PORT_FILE = sys.argv[1], sys.argv[2]
            seen = [0]
            class Receiver(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args):
                    pass
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    seen[0] += 1
                    status = 500 if seen[0] == 1 else 200
                    with open(LOG, "a") as log:
                        log.write(json.dumps({"path": self.path, "status": status, "body": body.decode(),
                                              "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
            server = HTTPServer(("127.0.0.1", 0), Receiver)
            with open(PORT_FILE + ".tmp", "w") as f:
                f.write(str(server.server_address[1]))
            import os
            os.rename(PORT_FILE + ".tmp", PORT_FILE)
            server.serve_forever()
            """#
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func aTransferIsPostedSignedRetriedAfterAFailureAndServedByTheContextAPI() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = try Receiver(directory: folder)
        defer { receiver.stop() }
        let secret = "a-test-secret-of-32-characters!!"
        let secretFile = folder.appendingPathComponent("secret")
        try (secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)

        let run = try ServerRun(extraArguments: [
            "--transfer-webhook-url", "http://127.0.0.1:\(receiver.port)/hooks/transfer",
            "--transfer-webhook-secret-file", secretFile.path, "--transfer-webhook-backoff-ms", "200"])
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let sipp = try run.sipp(scenario: RecordsTransferTests.transferScenario())
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")

        let deadline = Date().addingTimeInterval(8)
        while receiver.requests().count < 2, Date() < deadline { usleep(100_000) }
        let requests = receiver.requests()
        try #require(requests.count == 2, "receiver got \(requests.count) request(s); log:\n\(run.log())")
        #expect(requests.map { $0["status"] as? Int } == [500, 200])
        let headers = requests.map { $0["headers"] as? [String: String] ?? [:] }
        #expect(headers.allSatisfy { $0["x-voicegate-event"] == "transfer" && $0["content-type"] == "application/json" })
        #expect(headers[0]["x-voicegate-delivery"] != nil && headers[0]["x-voicegate-delivery"] == headers[1]["x-voicegate-delivery"])
        let body = try #require(requests[1]["body"] as? String)
        #expect(requests[0]["body"] as? String == body)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        #expect(headers.allSatisfy { $0["x-voicegate-signature"] == expected }, "\(headers)")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let callID = try #require(json["call_id"] as? String)
        let context = try #require(json["context"] as? [String: Any])
        #expect(json["event"] as? String == "transfer" && context["call_id"] as? String == callID && context["ani"] as? String == "+15550001")

        // The context API: 401 without credentials, the same context for a viewer.
        let store = try CallStore(path: run.directory.appendingPathComponent("db.sqlite").path, recoverOpenCalls: false)
        defer { try? store.close() }
        let token = try await store.addToken(name: "agent-desk", role: "viewer")
        let path = "/api/calls/\(callID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? callID)/context"
        #expect(httpRequest(port: port, path: path)?.status == 401)
        let answer = try #require(httpRequest(port: port, path: path, headers: bearer(token)))
        #expect(answer.status == 200, "\(answer)")
        let served = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        #expect(served["call_id"] as? String == callID && served["ani"] as? String == "+15550001")

        let message = try #require(try await store.outboxMessages().first)
        #expect(message.deliveredAt != nil && message.attempts == 2 && "\(message.id)" == headers[1]["x-voicegate-delivery"])
    }
}
