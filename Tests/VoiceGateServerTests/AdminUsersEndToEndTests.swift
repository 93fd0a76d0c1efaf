import Foundation
import Testing
import VoiceGateStore

/// User and token management in the console and API of the real `voicegate serve`, over real
/// HTTP: an admin signed in with the form adds a user, changes its role, creates a token (shown
/// once) and removes things; editors and viewers get 403; a created token works and a removed
/// one gets 401; every change is audited with who and from where.
@Suite struct AdminUsersEndToEndTests {
    @Test func anAdminManagesUsersAndTokensAndOthersAreRefused() async throws {
        let run = try ServerRun()
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let setup = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        try await setup.addUser(name: "root", role: "admin", password: "root password", iterations: 1000)
        try await setup.addUser(name: "ed", role: "editor", password: "editor password", iterations: 1000)
        let viewer = try await setup.addToken(name: "desk", role: "viewer")
        try setup.close()

        // Sign in with the form; cookie writes need this server as Origin.
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let login = try #require(httpRequest(port: port, method: "POST", path: "/login", headers: form,
                                             body: "name=root&password=root+password&next=%2Fconsole%2Fadmin%2Fusers"))
        let setCookie = try #require(login.headers.split(separator: "\r\n").first { $0.hasPrefix("Set-Cookie: vg_session=") })
        let cookie = ["Cookie": String(setCookie.dropFirst("Set-Cookie: ".count).prefix { $0 != ";" })]
        let write = cookie.merging(form) { a, _ in a }.merging(["Origin": "http://127.0.0.1:\(port)"]) { a, _ in a }
        func post(_ path: String, _ body: String, _ headers: [String: String] = write) -> (status: Int, headers: String, body: String)? {
            httpRequest(port: port, method: "POST", path: path, headers: headers, body: body, timeout: 20)
        }

        let page = try #require(httpRequest(port: port, path: "/console/admin/users", headers: cookie))
        #expect(page.status == 200 && page.body.contains("<td>ed</td>") && page.body.contains("<td>desk</td>"), "\(page)")
        #expect(!page.body.contains(viewer) && !page.body.contains("hash"))
        // A cross-site form (no or another Origin) is refused.
        #expect(post("/console/admin/users", "name=eve&role=admin&password=12345678", cookie.merging(form) { a, _ in a })?.status == 403)
        #expect(post("/console/admin/users", "name=eve&role=admin&password=12345678",
                     write.merging(["Origin": "http://evil.example"]) { _, b in b })?.status == 403)

        // Add a user, change its role; bad input answers on the page.
        #expect(post("/console/admin/users", "name=bob&role=viewer&password=bob+password")?.status == 303)
        #expect(httpRequest(port: port, path: "/console/calls", headers: basic("bob", "bob password"))?.status == 200)
        let taken = try #require(post("/console/admin/users", "name=bob&role=viewer&password=bob+password"))
        #expect(taken.status == 409 && taken.body.contains("exists already"))
        #expect(post("/console/admin/users", "name=carol&role=viewer&password=short")?.status == 400)
        #expect(post("/console/admin/users/bob/role", "role=editor")?.status == 303)
        let list = try #require(httpRequest(port: port, path: "/api/admin/users", headers: basic("root", "root password")))
        let users = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])["users"] as? [[String: Any]]
        #expect(users?.first { $0["name"] as? String == "bob" }?["role"] as? String == "editor", "\(list.body)")

        // A token: shown once on the answer, works for the API, not on the list; removed: 401.
        let created = try #require(post("/console/admin/tokens", "name=crm&role=viewer"))
        #expect(created.status == 201 && created.headers.contains("no-store"))
        let token = try #require(created.body.range(of: #"id="new-token">"#).map { String(created.body[$0.upperBound...].prefix { $0 != "<" }) })
        #expect(token.hasPrefix("vgt_"))
        #expect(httpRequest(port: port, path: "/api/prompts", headers: bearer(token))?.status == 200)
        let listed = try #require(httpRequest(port: port, path: "/console/admin/users", headers: cookie))
        #expect(listed.body.contains("<td>crm</td>") && !listed.body.contains(token))
        #expect(post("/console/admin/tokens/crm/remove", "")?.status == 303)
        #expect(httpRequest(port: port, path: "/api/prompts", headers: bearer(token))?.status == 401)

        // Editors and viewers may not reach any of it.
        for headers in [basic("bob", "bob password"), basic("ed", "editor password"), bearer(viewer)] {
            #expect(httpRequest(port: port, path: "/console/admin/users", headers: headers)?.status == 403)
            #expect(httpRequest(port: port, path: "/api/admin/users", headers: headers)?.status == 403)
            #expect(httpRequest(port: port, method: "POST", path: "/api/admin/tokens", headers: headers.merging(form) { a, _ in a },
                                body: "name=x&role=admin")?.status == 403)
        }

        // The JSON twins: a token made over the API, a user removed with DELETE, the last admin kept.
        let admin = basic("root", "root password").merging(["Content-Type": "application/json"]) { a, _ in a }
        let made = try #require(httpRequest(port: port, method: "POST", path: "/api/admin/tokens", headers: admin,
                                            body: #"{"name":"script","role":"editor"}"#))
        #expect(made.status == 201 && made.body.contains("\"token\":\"vgt_"), "\(made)")
        #expect(httpRequest(port: port, method: "DELETE", path: "/api/admin/users/bob", headers: admin)?.status == 200)
        #expect(httpRequest(port: port, path: "/console/calls", headers: basic("bob", "bob password"))?.status == 401)
        #expect(httpRequest(port: port, method: "DELETE", path: "/api/admin/users/bob", headers: admin)?.status == 404)
        #expect(httpRequest(port: port, method: "DELETE", path: "/api/admin/users/root", headers: admin)?.status == 409)
        #expect(post("/console/admin/users/root/role", "role=viewer")?.status == 409)

        let store = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        defer { try? store.close() }
        let trail = Set(try await store.auditTrail().map { "\($0.who) \($0.action) \($0.target ?? "") \($0.source)" })
        for expected in ["root user.add bob (viewer) 127.0.0.1", "root user.role bob (editor) 127.0.0.1",
                         "root token.add crm (viewer) 127.0.0.1", "root token.remove crm 127.0.0.1",
                         "root token.add script (editor) 127.0.0.1", "root user.remove bob 127.0.0.1"] {
            #expect(trail.contains(expected), "missing \(expected) in \(trail)")
        }
        #expect(!trail.contains { $0.contains("eve") || $0.contains("carol") })
    }
}
