import Foundation
import Glibc
import Testing
import VoiceGateStore
import VoiceGateTestSupport

/// Live changes on a running `voicegate serve` (real SIP calls with sipp, real HTTP with curl):
/// a prompt published while a call is in progress reaches the next call only; a broken menu is
/// refused (HTTP 422 with line and reason, SIGHUP with a broken file) and calls go on; a valid
/// edit on disk reaches new calls after `voicegate reload`.
@Suite(.serialized) struct LiveVersionsEndToEndTests {
    static let enabled = SippEndToEndTests.sippPath != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")

    /// A server over a copy of the repository's menu and prompts (so tests can edit them).
    final class LiveServer {
        let run: ServerRun
        let files: URL
        let adminPort: Int
        /// An editor's API token (publishing needs the editor role).
        let editorToken: String

        var menuFile: URL { files.appendingPathComponent("menu.yaml") }
        var promptsFolder: URL { files.appendingPathComponent("Prompts") }
        var pidFile: URL { files.appendingPathComponent("voicegate.pid") }

        init() throws {
            files = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-live-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let root = LiveStateTests.root
            try FileManager.default.copyItem(at: root.appendingPathComponent("Config/menu.yaml"),
                                             to: files.appendingPathComponent("menu.yaml"))
            try FileManager.default.copyItem(at: root.appendingPathComponent("Prompts"), to: files.appendingPathComponent("Prompts"))
            run = try ServerRun(extraArguments: ["--menu", files.appendingPathComponent("menu.yaml").path,
                                                 "--prompts", files.appendingPathComponent("Prompts").path,
                                                 "--pid-file", files.appendingPathComponent("voicegate.pid").path])
            // The admin line may follow the SIP one: wait for it (bounded).
            adminPort = try ServeOpsTests.adminPort(run)
            editorToken = try run.adminToken(role: "editor")
        }

        deinit { try? FileManager.default.removeItem(at: files) }

        /// `curl` to the admin port: (HTTP status, body).
        func http(_ method: String, _ path: String, json: String? = nil, form: String? = nil) throws -> (status: Int, body: String) {
            var arguments = ["-s", "-X", method, "-w", "\n%{http_code}", "--max-time", "20",
                             "-H", "Authorization: Bearer \(editorToken)", "http://127.0.0.1:\(adminPort)\(path)"]
            if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
            if let form { arguments += ["--data-binary", form] }  // curl's default type: a browser form
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            p.arguments = arguments
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            _ = wait(p, seconds: 25)
            let text = String(decoding: data, as: UTF8.self)
            guard let split = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: split)...]) else {
                throw TestFailure("curl \(method) \(path): \(text)")
            }
            return (status, String(text[..<split]))
        }

        /// A JSON object answered by `path`.
        func object(_ method: String, _ path: String, json: String? = nil) throws -> [String: Any] {
            let (status, body) = try http(method, path, json: json)
            guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestFailure("\(method) \(path): \(status) \(body)")
            }
            return object
        }

        /// sipp placing one call with `pauseMs` between ACK and BYE, started in the background.
        func startCall(pauseMs: Int) throws -> Process {
            let file = files.appendingPathComponent("scenario-\(UUID().uuidString.prefix(6)).xml")
            try SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"\(pauseMs)\"/>").write(to: file, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
            p.currentDirectoryURL = files
            p.arguments = ["-sf", file.path, "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
                           "-i", "127.0.0.1", "-p", "\(try freeUDPPort())", "-mp", "\(try freeUDPPort(even: true))",
                           "127.0.0.1:\(run.sipPort)"]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        /// Trace files (call id → lines) once `count` of them hold a started greeting.
        func greetingTraces(count: Int, seconds: Double = 10) -> [String: String] {
            let folder = run.directory.appendingPathComponent("traces")
            let deadline = Date().addingTimeInterval(seconds)
            var found: [String: String] = [:]
            repeat {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                found = [:]
                for name in names {
                    let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
                    if text.contains("\"id\":\"greeting\"") { found[name] = text }
                }
                if found.count >= count { return found }
                usleep(50_000)
            } while Date() < deadline
            return found
        }

        /// The `version` of every greeting prompt event in `trace`.
        static func greetingVersions(_ trace: String) -> Set<Int> {
            Set(trace.split(separator: "\n").compactMap { line -> Int? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      object["type"] as? String == "prompt", object["id"] as? String == "greeting" else { return nil }
                return (object["version"] as? NSNumber)?.intValue ?? -1
            })
        }

        /// Runs `voicegate reload` for this server's files; returns its exit status.
        func reloadCommand() throws -> Int32 {
            let reload = Process()
            reload.executableURL = try voicegateBinary()
            reload.arguments = ["reload", "--pid-file", pidFile.path, "--menu", menuFile.path, "--prompts", promptsFolder.path]
            reload.standardOutput = FileHandle.nullDevice
            reload.standardError = FileHandle.nullDevice
            try reload.run()
            return wait(reload, seconds: 20)
        }

        /// Waits until the log contains `text`.
        func waitForLog(_ text: String, seconds: Double = 5) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if run.log().contains(text) { return true }
                usleep(50_000)
            }
            return false
        }
    }

    @Test(.enabled(if: enabled, "needs sipp and curl"))
    func aPublishedPromptReachesTheNextCallWhileTheCallInProgressKeepsItsVersion() async throws {
        let server = try LiveServer()
        defer { server.run.stop() }
        let before = try server.object("GET", "/api/prompts/greeting/en")
        let oldVersion = try #require((before["version"] as? NSNumber)?.intValue)

        let callA = try server.startCall(pauseMs: 3500)
        defer { if callA.isRunning { kill(callA.processIdentifier, SIGKILL) } }
        #expect(server.greetingTraces(count: 1).count == 1, "call A did not start:\n\(server.run.log())")

        let published = try server.object("POST", "/api/prompts/greeting/en/publish",
                                          json: #"{"text":"Welcome to the new Example Bank line.","note":"shorter greeting"}"#)
        let newVersion = try #require((published["version"] as? NSNumber)?.intValue)
        #expect(newVersion != oldVersion)
        let listed = try server.object("GET", "/api/prompts/greeting/en")
        #expect((listed["version"] as? NSNumber)?.intValue == newVersion)
        #expect(listed["text"] as? String == "Welcome to the new Example Bank line.")

        let callB = try server.startCall(pauseMs: 1000)
        #expect(wait(callB, seconds: 20) == 0, "call B failed:\n\(server.run.log())")
        #expect(wait(callA, seconds: 20) == 0, "call A failed:\n\(server.run.log())")
        let traces = server.greetingTraces(count: 2)
        let versions = traces.values.map(LiveServer.greetingVersions)
        #expect(versions.contains([oldVersion]), "call A should keep v\(oldVersion): \(versions)")
        #expect(versions.contains([newVersion]), "call B should play v\(newVersion): \(versions)")
        #expect(traces.count == 2)

        // The records say the same: events name the version, rows the menu version.
        let menuVersion = (try server.object("GET", "/api/menus")["current"] as? NSNumber)?.int64Value
        let store = try CallStore(path: server.run.directory.appendingPathComponent("db.sqlite").path, recoverOpenCalls: false)
        defer { try? store.close() }
        var calls = try await store.calls()
        for _ in 0..<40 where calls.count < 2 || calls.contains(where: { $0.endedAt == nil }) {
            try await Task.sleep(for: .milliseconds(50))
            calls = try await store.calls()
        }
        var recorded: [Set<Int64>] = []
        for call in calls {
            let events = try await store.events(callID: call.id)
            recorded.append(Set(events.compactMap { event in
                if case .prompt(id: "greeting", _, _, _) = event.detail { return event.promptVersion ?? -1 }
                return nil
            }))
            #expect(call.menuVersion == menuVersion)
        }
        #expect(Set(recorded) == [[Int64(oldVersion)], [Int64(newVersion)]], "recorded greeting versions: \(recorded)")

        // Roll back: the next call plays the old version again.
        _ = try server.object("POST", "/api/prompts/greeting/en/rollback/\(oldVersion)")
        let callC = try server.startCall(pauseMs: 500)
        #expect(wait(callC, seconds: 20) == 0)
        let after = server.greetingTraces(count: 3).filter { traces[$0.key] == nil }.values.map(LiveServer.greetingVersions)
        #expect(after == [[oldVersion]], "after rollback: \(after)")
        // The console pages render the versions.
        let page = try server.http("GET", "/console/prompts/greeting/en")
        #expect(page.status == 200 && page.body.contains("v\(newVersion)") && page.body.contains("shorter greeting"))
        let preview = try server.http("GET", "/console/prompts/greeting/en/preview?text=Hello+there")
        #expect(preview.status == 200 && preview.body.hasPrefix("RIFF"))
        let draft = try server.http("GET", "/console/prompts/greeting/zh?text=%E6%AC%A2%E8%BF%8E+you&note=x")
        #expect(draft.status == 200 && draft.body.contains("<audio") && draft.body.contains("preview?text=%E6%AC%A2%E8%BF%8E%20you"))
        // The console's form publishes like the API (post, then redirect to the page).
        let zhBefore = (try server.object("GET", "/api/prompts/greeting/zh")["version"] as? NSNumber)?.intValue
        let posted = try server.http("POST", "/console/prompts/greeting/zh/publish", form: "text=%E6%AC%A2%E8%BF%8E%E8%87%B4%E7%94%B5&note=zh+edit")
        #expect(posted.status == 303)
        let zhAfter = try server.object("GET", "/api/prompts/greeting/zh")
        #expect(zhAfter["text"] as? String == "欢迎致电" && (zhAfter["version"] as? NSNumber)?.intValue != zhBefore)
    }

    @Test(.enabled(if: enabled, "needs sipp and curl"))
    func brokenMenusAreRefusedAndValidEditsOnDiskReachNewCalls() throws {
        let server = try LiveServer()
        defer { server.run.stop() }
        let menus = try server.object("GET", "/api/menus")
        let running = try #require((menus["current"] as? NSNumber)?.intValue)
        let yaml = try String(contentsOf: server.menuFile, encoding: .utf8)
        let startLine = try #require(yaml.components(separatedBy: "\n").firstIndex(of: "start: greeting")) + 1
        let broken = yaml.replacingOccurrences(of: "start: greeting", with: "start: nowhere")

        // Over HTTP: 422 with the line and the reason; the running menu stays.
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["yaml": broken, "note": "typo"]), as: UTF8.self)
        let refused = try server.http("POST", "/api/menus/publish", json: body)
        #expect(refused.status == 422, "\(refused)")
        #expect(refused.body.contains("menu.yaml:\(startLine):") && refused.body.contains("nowhere"), "\(refused.body)")
        #expect((try server.object("GET", "/api/menus")["current"] as? NSNumber)?.intValue == running)

        // On disk with SIGHUP: rejected, logged with file:line, calls still served.
        try broken.write(to: server.menuFile, atomically: true, encoding: .utf8)
        kill(server.run.process.processIdentifier, SIGHUP)
        #expect(server.waitForLog("reload rejected: \(server.menuFile.path):\(startLine):"), "log:\n\(server.run.log())")
        #expect(wait(try server.startCall(pauseMs: 300), seconds: 20) == 0, "call after a rejected reload:\n\(server.run.log())")
        #expect((try server.object("GET", "/api/menus")["current"] as? NSNumber)?.intValue == running)
        // `voicegate reload` checks first: it reports the broken file and signals nothing.
        #expect(try server.reloadCommand() == 1)

        // A valid edit (menu and greeting text) with `voicegate reload`: new calls get both.
        try yaml.replacingOccurrences(of: "name: example-bank", with: "name: example-bank # edited")
            .write(to: server.menuFile, atomically: true, encoding: .utf8)
        let prompts = server.promptsFolder.appendingPathComponent("en/prompts.yaml")
        let text = try String(contentsOf: prompts, encoding: .utf8)
        try (text + "\nreload_marker: \"Edited on disk.\"\n").write(to: prompts, atomically: true, encoding: .utf8)
        let oldGreeting = try #require((try server.object("GET", "/api/prompts/greeting/en")["version"] as? NSNumber)?.intValue)
        #expect(try server.reloadCommand() == 0)
        #expect(server.waitForLog("reloaded "), "log:\n\(server.run.log())")
        let current = (try server.object("GET", "/api/menus")["current"] as? NSNumber)?.intValue
        #expect(current != nil && current != running)
        #expect((try server.object("GET", "/api/prompts/reload_marker/en")["text"] as? String) == "Edited on disk.")
        #expect((try server.object("GET", "/api/prompts/greeting/en")["version"] as? NSNumber)?.intValue == oldGreeting)
        #expect(wait(try server.startCall(pauseMs: 300), seconds: 20) == 0)

        // Canary over the API: publish for 50% of new calls, promote it, roll back.
        let canaryYAML = yaml.replacingOccurrences(of: "name: example-bank", with: "name: example-bank # canary")
        let canaryBody = String(decoding: try JSONSerialization.data(
            withJSONObject: ["yaml": canaryYAML, "note": "try it", "canary_percent": 50]), as: UTF8.self)
        let canary = try #require((try server.object("POST", "/api/menus/publish", json: canaryBody)["version"] as? NSNumber)?.intValue)
        var menusNow = try server.object("GET", "/api/menus")
        #expect((menusNow["canary"] as? NSNumber)?.intValue == canary && (menusNow["canary_percent"] as? NSNumber)?.intValue == 50)
        #expect((menusNow["current"] as? NSNumber)?.intValue == current)
        _ = try server.object("POST", "/api/menus/promote")
        menusNow = try server.object("GET", "/api/menus")
        #expect((menusNow["current"] as? NSNumber)?.intValue == canary && menusNow["canary"] == nil)
        #expect(try server.http("POST", "/api/menus/promote").status == 409)
        _ = try server.object("POST", "/api/menus/rollback/\(running)")
        #expect((try server.object("GET", "/api/menus")["current"] as? NSNumber)?.intValue == running)
    }
}
