import Foundation
import Glibc
import Hummingbird
import Logging
import Testing
import VoiceGateServer
import VoiceGateStore

/// Authentication of the admin HTTP side through real HTTP: against `voicegate serve --db`
/// (open monitoring, 401 without credentials, roles, the login form's cookie, the audit trail)
/// and in-process with a route of its own (writes audited, `AdminAuth.require`).
@Suite struct AdminAuthTests {
    /// A viewer token, an editor user (`alice` / `correct horse`) and an admin token in `run`'s records.
    static func credentials(_ run: ServerRun) async throws -> (viewer: String, admin: String) {
        let store = try CallStore(path: run.directory.appendingPathComponent("db.sqlite").path, recoverOpenCalls: false)
        defer { try? store.close() }
        try await store.addUser(name: "alice", role: "editor", password: "correct horse", iterations: 1000)
        return (try await store.addToken(name: "desk", role: "viewer"), try await store.addToken(name: "ops", role: "admin"))
    }

    @Test func withoutCredentialsOnlyMonitoringAndTheLoginFormAnswer() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let api = try #require(httpRequest(port: port, path: "/api/calls/x/context"))
        #expect(api.status == 401 && api.body.contains("authentication required") && !api.body.contains("call_id"), "\(api)")
        #expect(api.headers.contains("WWW-Authenticate: Bearer"))
        let console = try #require(httpRequest(port: port, path: "/console/calls"))
        #expect(console.status == 401 && console.body.contains("/login?next=/console/calls"), "\(console)")
        #expect(httpRequest(port: port, path: "/health")?.status == 200)
        #expect(httpRequest(port: port, path: "/ready")?.status == 200)
        let login = try #require(httpRequest(port: port, path: "/login"))
        #expect(login.status == 200 && login.body.contains(#"name="password""#))
        #expect(httpRequest(port: port, path: "/api/calls/x/context", headers: bearer("vgt_forged"))?.status == 401)
        #expect(httpRequest(port: port, path: "/api/calls/x/context", headers: basic("alice", "guess"))?.status == 401)
    }

    @Test func rolesDecideReadsWritesAndAdminPaths() async throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let tokens = try await Self.credentials(run)
        let read = try #require(httpRequest(port: port, path: "/api/calls/x/context", headers: bearer(tokens.viewer)))
        #expect(read.status == 404 && read.body.contains("no transfer context"), "\(read)")
        #expect(httpRequest(port: port, path: "/api/calls/x/context", headers: basic("alice", "correct horse"))?.status == 404)
        #expect(httpRequest(port: port, method: "POST", path: "/api/calls/x/context", headers: bearer(tokens.viewer))?.status == 403)
        #expect(httpRequest(port: port, path: "/api/admin/users", headers: basic("alice", "correct horse"))?.status == 403)
        #expect(httpRequest(port: port, path: "/api/%61dmin/users", headers: basic("alice", "correct horse"))?.status == 403)
        #expect(httpRequest(port: port, path: "/api/admin/users", headers: bearer(tokens.admin))?.status == 200)
    }

    @Test func theLoginFormsCookieOpensTheConsoleUntilLogoutAndAllIsAudited() async throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        _ = try await Self.credentials(run)
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let wrong = try #require(httpRequest(port: port, method: "POST", path: "/login", headers: form,
                                             body: "name=alice&password=nope&next=%2Fconsole%2Fcalls"))
        #expect(wrong.status == 401 && !wrong.headers.contains("Set-Cookie"))
        let right = try #require(httpRequest(port: port, method: "POST", path: "/login", headers: form,
                                             body: "name=alice&password=correct+horse&next=%2Fconsole%2Fcalls"))
        #expect(right.status == 303 && right.headers.contains("Location: /console/calls"), "\(right)")
        let setCookie = try #require(right.headers.split(separator: "\r\n").first { $0.hasPrefix("Set-Cookie: vg_session=") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = ["Cookie": String(setCookie.dropFirst("Set-Cookie: ".count).prefix { $0 != ";" })]
        // Past authentication: the console pages are another part's routes (404 until they exist).
        #expect(httpRequest(port: port, path: "/console/calls", headers: cookie)?.status != 401)
        // Cookie writes need a same-origin Origin (a forged cross-site form has another one).
        #expect(httpRequest(port: port, method: "POST", path: "/api/x", headers: cookie)?.status == 403)
        #expect(httpRequest(port: port, method: "POST", path: "/api/x",
                            headers: cookie.merging(["Origin": "http://evil.example"]) { a, _ in a })?.status == 403)
        #expect(httpRequest(port: port, method: "POST", path: "/api/x",
                            headers: cookie.merging(["Origin": "http://127.0.0.1:\(port)"]) { a, _ in a })?.status == 404)
        #expect(httpRequest(port: port, method: "POST", path: "/logout", headers: cookie)?.status == 303)
        #expect(httpRequest(port: port, path: "/console/calls", headers: cookie)?.status == 401)

        let store = try CallStore(path: run.directory.appendingPathComponent("db.sqlite").path, recoverOpenCalls: false)
        defer { try? store.close() }
        let trail = try await store.auditTrail().map { "\($0.who) \($0.action) \($0.source)" }
        #expect(trail.prefix(3) == ["alice logout 127.0.0.1", "alice login 127.0.0.1", "alice login.failed 127.0.0.1"], "\(trail)")
    }

    @Test func writesByAnIdentityAreAuditedAndRoutesCanRequireMore() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-auth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CallStore(path: folder.appendingPathComponent("db.sqlite").path)
        defer { try? store.close() }
        let editor = try await store.addToken(name: "editor-bot", role: "editor")
        let admin = try await store.addToken(name: "admin-bot", role: "admin")
        var server = AdminHTTPServer(host: "127.0.0.1", port: 0, readiness: ServiceReadiness(), logger: Logger(label: "test"))
        server.authentication = AdminAuth(store: store)
        server.addRoutes { router in
            router.post("/api/prompts/greeting/publish") { _, _ in AdminHTTPServer.json(.ok, "{}") }
            router.post("/api/failing") { _, _ in AdminHTTPServer.json(.badRequest, "{}") }
            router.get("/api/secret-report") { _, context in
                let who = try AdminAuth.require(.admin, context)
                return AdminHTTPServer.json(.ok, #"{"for":"\#(who.name)"}"#)
            }
        }
        let (stop, stopSink) = AsyncStream<Void>.makeStream()
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let running = Task { [server] in try await server.run(until: stop) { portSink.yield($0) } }
        defer { stopSink.finish() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        #expect(await httpRequestOffPool(port: port, method: "POST", path: "/api/prompts/greeting/publish", headers: bearer(editor))?.status == 200)
        #expect(await httpRequestOffPool(port: port, method: "POST", path: "/api/failing", headers: bearer(editor))?.status == 400)
        #expect(await httpRequestOffPool(port: port, method: "POST", path: "/api/prompts/greeting/publish")?.status == 401)
        #expect(await httpRequestOffPool(port: port, path: "/api/secret-report", headers: bearer(editor))?.status == 403)
        #expect(await httpRequestOffPool(port: port, path: "/api/secret-report", headers: bearer(admin))?.body.contains("admin-bot") == true)
        let trail = try await store.auditTrail()
        #expect(trail.count == 1, "\(trail)")
        #expect(trail.first.map { "\($0.who) \($0.action) \($0.source)" } == "editor-bot POST /api/prompts/greeting/publish 127.0.0.1")
        stopSink.finish()
        try await running.value
    }
}
