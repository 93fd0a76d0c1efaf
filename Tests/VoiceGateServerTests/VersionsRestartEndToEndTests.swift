import Foundation
import Glibc
import Testing
import VoiceGateStore

/// Published versions survive a restart of the real `voicegate serve`: a prompt and a canary
/// menu published over HTTP are current again after a stop and a start on the same `--db` (the
/// API and the console say so, and a new call plays the published prompt), and a prompt file
/// edited between two runs wins over the published version.
@Suite(.serialized) struct VersionsRestartEndToEndTests {
    /// The menu, prompts, records file and pid file several runs share.
    final class SharedFiles {
        let folder: URL
        var menu: URL { folder.appendingPathComponent("menu.yaml") }
        var prompts: URL { folder.appendingPathComponent("Prompts") }
        var db: String { folder.appendingPathComponent("records.sqlite").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-restart-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: LiveStateTests.root.appendingPathComponent("Config/menu.yaml"), to: menu)
            try FileManager.default.copyItem(at: LiveStateTests.root.appendingPathComponent("Prompts"), to: prompts)
        }

        /// `voicegate serve` over these files and this records file (a later `--db` wins).
        func serve() throws -> (run: ServerRun, port: Int) {
            let run = try ServerRun(extraArguments: ["--menu", menu.path, "--prompts", prompts.path, "--db", db,
                                                     "--pid-file", folder.appendingPathComponent("voicegate.pid").path])
            return (run, try ServeOpsTests.adminPort(run))
        }

        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    /// The JSON object `GET path` answers with `token`.
    static func object(_ port: Int, _ path: String, token: String, method: String = "GET",
                       json: String = "") throws -> [String: Any] {
        var headers = bearer(token)
        if !json.isEmpty { headers["Content-Type"] = "application/json" }
        let answer = try #require(httpRequest(port: port, method: method, path: path, headers: headers, body: json, timeout: 20))
        guard answer.status == 200, let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            throw TestFailure("\(method) \(path): \(answer.status) \(answer.body)")
        }
        return object
    }

    static func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

    @Test(.enabled(if: LiveVersionsEndToEndTests.enabled, "needs sipp and curl"))
    func publishedVersionsAndTheCanarySurviveARestartAndAnEditedFileWins() async throws {
        let files = try SharedFiles()
        let setup = try CallStore(path: files.db)
        let token = try await setup.addToken(name: "editor", role: "editor")
        try setup.close()

        // Run 1: publish a greeting and a canary menu for 40% of new calls.
        var (run, port) = try files.serve()
        let published = try #require(Self.int(try Self.object(
            port, "/api/prompts/greeting/en/publish", token: token, method: "POST",
            json: #"{"text":"Welcome back to the restarted bank.","note":"survives restarts"}"#)["version"]))
        let yaml = try String(contentsOf: files.menu, encoding: .utf8)
        let canaryBody = String(decoding: try JSONSerialization.data(withJSONObject: [
            "yaml": yaml.replacingOccurrences(of: "name: example-bank", with: "name: example-bank # canary"),
            "note": "canary", "canary_percent": 40]), as: UTF8.self)
        let canary = try #require(Self.int(try Self.object(port, "/api/menus/publish", token: token, method: "POST",
                                                           json: canaryBody)["version"]))
        let current = try #require(Self.int(try Self.object(port, "/api/menus", token: token)["current"]))
        #expect(run.stop() == 0)

        // Run 2, same records: the API and the console report the same versions, a new call plays them.
        (run, port) = try files.serve()
        let prompt = try Self.object(port, "/api/prompts/greeting/en", token: token)
        #expect(Self.int(prompt["version"]) == published && prompt["text"] as? String == "Welcome back to the restarted bank.")
        let menus = try Self.object(port, "/api/menus", token: token)
        #expect(Self.int(menus["current"]) == current && Self.int(menus["canary"]) == canary
                && Self.int(menus["canary_percent"]) == 40, "\(menus)")
        let page = try #require(httpRequest(port: port, path: "/console/menus", headers: bearer(token)))
        #expect(page.body.contains(#"id="canary-version">v\#(canary)</strong> for 40%"#), "\(page.body.prefix(3000))")
        let editor = try #require(httpRequest(port: port, path: "/console/prompts/greeting/en", headers: bearer(token)))
        #expect(editor.body.contains(#"id="current-version">v\#(published)<"#))
        let call = try run.sipp(scenario: SippEndToEndTests.scenario(middle: #"  <pause milliseconds="1500"/>"#))
        #expect(call.status == 0, "call failed:\n\(call.output)\n\(run.log())")
        #expect(LiveVersionsEndToEndTests.LiveServer.greetingVersions(run.traces()) == [published], "\(run.traces())")
        #expect(run.stop() == 0)

        // Run 3 after an operator edited the greeting on disk: the file wins; the menu and canary stay.
        let path = files.prompts.appendingPathComponent("en/prompts.yaml")
        let onDisk = try String(contentsOf: path, encoding: .utf8)
        #expect(onDisk.contains(VersionRestoreTests.greetingStart))
        try onDisk.replacingOccurrences(of: VersionRestoreTests.greetingStart, with: "Edited on disk between runs. In a few words")
            .write(to: path, atomically: true, encoding: .utf8)
        (run, port) = try files.serve()
        defer { run.stop() }
        let edited = try Self.object(port, "/api/prompts/greeting/en", token: token)
        #expect((edited["text"] as? String)?.hasPrefix("Edited on disk between runs.") == true && Self.int(edited["version"]) != published)
        let menusAfter = try Self.object(port, "/api/menus", token: token)
        #expect(Self.int(menusAfter["current"]) == current && Self.int(menusAfter["canary"]) == canary)
        let store = try CallStore(path: files.db, recoverOpenCalls: false)
        defer { try? store.close() }
        let changed = try await store.auditTrail().filter { $0.action == "config.file_changed" }
        #expect(changed.count == 1 && changed.first?.target?.contains("version \(published) set aside") == true, "\(changed)")
    }
}

