import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP bank for the webhook tests: a small Python script (standard library only)
/// written to the test's temp dir and run with `python3` on a free loopback port. It answers
/// the documented JSON (docs/bank-webhook.md) for one demo customer, rejects bodies whose
/// fields differ from the documented set, and has `/slow` (sleeps past any test timeout),
/// `/error` (HTTP 500) and `/garbage` (200 with HTML) paths.
struct WebhookTestServer {
    let process: Process
    let port: Int

    /// The base URL, or a path on it.
    func url(_ path: String = "/") -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    /// Starts the server; `bearerToken`, when given, is required on every normal request.
    static func start(in directory: TemporaryDirectory, bearerToken: String? = nil) async throws -> WebhookTestServer {
        let script = directory.path("bank_server.py")
        try serverScript.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, bearerToken ?? ""]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The script prints its port once listening. Read it off the cooperative pool: the
        // read blocks until Python has started.
        let reader = output.fileHandleForReading
        let line: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    bytes.append(chunk)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            WebhookTestServer(process: process, port: 0).stop()
            throw ServerDidNotStart()
        }
        return WebhookTestServer(process: process, port: port)
    }

    /// Stops the server and waits for the process to exit. SIGKILL, not `terminate()`: a child
    /// spawned from a dispatch worker thread inherits its blocked signal mask, SIGTERM included,
    /// and would never exit; SIGKILL cannot be blocked, and the server has nothing to flush.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    struct ServerDidNotStart: Error {}

    private static let serverScript = #"""
        import json, signal, sys, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        # Spawned from a thread that blocks signals: unblock them so that SIGTERM/SIGINT work too.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        TOKEN = sys.argv[1] if len(sys.argv) > 1 else ""
        FIELDS = {
            "customerProfile": {"type", "callerNumber"},
            "verifyIdentity": {"type", "callerNumber", "last4", "pin"},
            "balance": {"type", "accountRef"},
            "blockCard": {"type", "accountRef", "last4"},
            "lastStatement": {"type", "accountRef"},
        }

        class Bank(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, answer=None, raw=None):
                body = raw if raw is not None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/slow":
                    time.sleep(30)
                    return self.reply(200, {"known": True, "assisted": False})
                if self.path == "/error":
                    return self.reply(500, {"error": "internal"})
                if self.path == "/garbage":
                    return self.reply(200, raw=b"<html>not json</html>")
                if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
                    return self.reply(401, {"error": "unauthorized"})
                if self.headers.get("Content-Type") != "application/json":
                    return self.reply(415, {"error": "json only"})
                request = json.loads(body)
                kind = request.get("type")
                if kind not in FIELDS or set(request) != FIELDS[kind]:
                    return self.reply(400, {"error": "unexpected fields"})
                if kind == "customerProfile":
                    number = request["callerNumber"]
                    answer = {"known": number in ("+15550001", "+15550002"), "assisted": number == "+15550002"}
                elif kind == "verifyIdentity":
                    ok = request["last4"] == "1234" and request["pin"] == "4321"
                    answer = {"verified": ok, "accountRef": "ref-abc" if ok else None}
                elif kind == "balance":
                    if request["accountRef"] == "ref-abc":
                        answer = {"minorUnits": 123456, "currency": "USD"}
                    else:
                        answer = {"error": "unknown account 1234"}
                elif kind == "blockCard":
                    ok = request["accountRef"] == "ref-abc" and request["last4"] == "5678"
                    answer = {"confirmation": "40000017"} if ok else {"error": "no such card"}
                else:
                    answer = {"amountDueMinor": 23450, "currency": "USD", "dueDate": "2026-12-15"}
                self.reply(200, answer)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Bank)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
