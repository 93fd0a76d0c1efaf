import Foundation
import Glibc
import Testing
import VoiceGateDialog
import VoiceGateStore

/// The prompt editor as an ops person uses it, in a real browser (headless Chromium driven
/// through chromedriver, `WebDriverSession`): sign in through the form, read the funnel after
/// a few sipp calls, edit the greeting, preview it (the `<audio>` source is a WAV), publish it,
/// and check with real calls that a call already in progress keeps the old version while the
/// next call plays the new one (the records' prompt events name the version).
///
/// Runs when sipp, chromium and chromedriver are installed (`make setup`). With
/// `VOICEGATE_REQUIRE_BROWSER` set (as `make test` does) a missing browser is a failure, not a skip.
@Suite(.serialized) struct ConsolePublishBrowserTests {
    static var required: Bool { ProcessInfo.processInfo.environment["VOICEGATE_REQUIRE_BROWSER"].map { !$0.isEmpty } ?? false }
    static var enabled: Bool { required || (SippEndToEndTests.sippPath != nil && WebDriverSession.missingBrowser == nil) }

    static let editor = "editor1"
    static let password = "an editor passphrase"
    static let newText = "Welcome to the Example Bank line, edited in the browser."
    static let note = "browser edit"

    /// A call that stays up until told to hang up: INVITE/ACK, then it waits (up to 150 s) for a
    /// NOTIFY that `release(callID:sippPort:)` sends to sipp, then sends its BYE.
    static func heldCallScenario() -> String {
        let full = SippEndToEndTests.scenario(middle: "  <recv request=\"NOTIFY\" timeout=\"150000\"/>")
        return full
    }

    /// Tells the held call with `callID` (sipp listening on `sippPort`) to hang up now.
    static func release(callID: String, sippPort: Int) throws {
        let socket = try UDPSocket()
        try socket.send("""
            NOTIFY sip:sipp@127.0.0.1:\(sippPort) SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.1:\(socket.port);branch=z9hG4bK-release-\(UUID().uuidString.prefix(8))\r
            From: <sip:test@127.0.0.1:\(socket.port)>;tag=release\r
            To: <sip:sipp@127.0.0.1:\(sippPort)>\r
            Call-ID: \(callID)\r
            CSeq: 1 NOTIFY\r
            Max-Forwards: 70\r
            Event: test\r
            Content-Length: 0\r
            \r

            """, toPort: sippPort)
    }

    /// The greeting prompt versions named by `callID`'s recorded events (-1: an event without one).
    static func greetingVersions(_ store: CallStore, _ callID: String) async throws -> Set<Int64> {
        Set(try await store.events(callID: callID).compactMap { event in
            if case .prompt(id: "greeting", _, _, _) = event.detail { return event.promptVersion ?? -1 }
            return nil
        })
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass.
    static func eventually(seconds: Double = 60, _ condition: () async throws -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return false
    }

    /// "v12" → 12.
    static func version(_ text: String) -> Int64? { Int64(text.trimmingCharacters(in: .whitespaces).dropFirst()) }

    @Test(.enabled(if: enabled, "needs sipp, chromium and chromedriver (Debian sip-tester, chromium, chromium-driver); run make setup"))
    func editPreviewAndPublishAPromptInABrowserWhileACallIsInProgress() async throws {
        if let missing = WebDriverSession.missingBrowser ?? (SippEndToEndTests.sippPath == nil ? "sipp is not installed" : nil) {
            Issue.record("VOICEGATE_REQUIRE_BROWSER is set but \(missing); run make setup")
            return
        }
        // A copy of the menu whose no-input wait is long: the held call must not be escalated
        // (and ended) by the menu while the browser works on a slow, busy machine.
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-publish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let menu = files.appendingPathComponent("menu.yaml")
        let yaml = try String(contentsOf: LiveStateTests.root.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
        #expect(yaml.contains("noinput_ms: 5000"))
        try yaml.replacingOccurrences(of: "noinput_ms: 5000", with: "noinput_ms: 30000").write(to: menu, atomically: true, encoding: .utf8)

        let run = try ServerRun(extraArguments: ["--menu", menu.path, "--media-timeout", "300"])
        defer { run.stop() }
        let port = try ServeOpsTests.adminPort(run)
        let base = "http://127.0.0.1:\(port)"
        try run.addAdminUser(Self.editor, role: "editor", password: Self.password)

        // Two callers who hang up in the greeting.
        for _ in 0..<2 {
            let call = try run.sipp(scenario: SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"800\"/>"))
            #expect(call.status == 0, "sipp failed:\n\(call.output)\nserver log:\n\(run.log())")
        }
        let store = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        defer { try? store.close() }
        let finished = await Self.eventually {
            try await store.calls().filter { $0.outcome != nil }.count >= 2
        }
        #expect(finished, "the two calls are not in the records; log:\n\(run.log())")

        let browser = try WebDriverSession(folder: run.directory.appendingPathComponent("webdriver"))
        defer { browser.close() }

        // Without signing in the console shows no data (401).
        try browser.navigate(base + "/console/funnel")
        #expect(try browser.elements("table.funnel").isEmpty)
        let refused = try browser.pageSource()
        #expect(!refused.contains("funnel-chart") && !refused.contains("call-count"), "\(refused)")
        #expect(httpRequest(port: port, path: "/console/funnel")?.status == 401)

        // Sign in through the form (the session cookie, no credentials in the URL).
        try browser.navigate(base + "/login?next=%2Fconsole%2Ffunnel")
        try browser.sendKeys(try browser.element("input[name=name]"), Self.editor)
        try browser.sendKeys(try browser.element("input[name=password]"), Self.password)
        try browser.click(try browser.element("form[action='/login'] button[type=submit]"))
        #expect(browser.waitUntil { try browser.currentURL().hasSuffix("/console/funnel") && !browser.elements("table.funnel").isEmpty },
                "no funnel after signing in: \((try? browser.currentURL()) ?? "?")\n\((try? browser.pageSource()) ?? "")")

        // The funnel: both callers entered the greeting and hung up there.
        func cell(_ node: String, _ column: String) throws -> String {
            try browser.text(try browser.element("tr.node[data-node='\(node)'] td.num.\(column)"))
        }
        #expect(try browser.text(try browser.element(".call-count")) == "2")
        #expect(try cell("greeting", "entered") == "2")
        #expect(try cell("greeting", "hungup") == "2")
        #expect(try cell("greeting", "succeeded") == "0")
        #expect(try !browser.elements("svg.funnel-chart").isEmpty)

        // The greeting's editor: the version new calls play now.
        let editorPath = "/console/prompts/greeting/en"
        try browser.navigate(base + editorPath)
        let oldVersion = try #require(Self.version(try browser.text(try browser.element("#current-version"))),
                                      "no current version: \((try? browser.pageSource()) ?? "")")
        let oldText = try #require(try browser.property(try browser.element("textarea[name=text]"), "value") as? String)
        #expect(!oldText.isEmpty && oldText != Self.newText)

        // Call A starts on the old version and stays up until released.
        let sippPort = try freeUDPPort()
        let callA = "browser-held-\(UUID().uuidString.prefix(8))-1@127.0.0.1"
        let held = try run.startSipp(scenario: Self.heldCallScenario(), sipPort: sippPort,
                                     extra: ["-cid_str", callA.replacingOccurrences(of: "-1@127.0.0.1", with: "-%u@%s")])
        defer { if held.isRunning { kill(held.processIdentifier, SIGKILL); _ = wait(held, seconds: 5) } }
        let aPlaying = await Self.eventually { try await Self.greetingVersions(store, callA) == [oldVersion] }
        #expect(aPlaying, "call A is not playing greeting v\(oldVersion); log:\n\(run.log())")

        // Edit and preview: the page reloads with the draft and an <audio> of it; nothing is published.
        let textArea = try browser.element("textarea[name=text]")
        try browser.clear(textArea)
        try browser.sendKeys(textArea, Self.newText)
        let noteField = try browser.element("input[name=note]")
        try browser.clear(noteField)
        try browser.sendKeys(noteField, Self.note)
        try browser.click(try browser.element("#preview-button"))
        #expect(browser.waitUntil { !(try browser.elements("audio#preview").isEmpty) },
                "no preview player: \((try? browser.pageSource()) ?? "")")
        let audio = try browser.element("audio#preview")
        let source = try #require(try browser.property(audio, "src") as? String)
        #expect(source.hasPrefix(base + editorPath + "/preview?text="), "preview source: \(source)")
        #expect(try browser.property(try browser.element("textarea[name=text]"), "value") as? String == Self.newText)
        #expect(Self.version(try browser.text(try browser.element("#current-version"))) == oldVersion, "a preview published")
        // The source, fetched by the page with its session cookie, is a WAV...
        let fetched = try browser.executeAsync("""
            const done = arguments[arguments.length - 1];
            fetch(document.getElementById('preview').src).then(async (r) => {
              const bytes = new Uint8Array(await r.arrayBuffer());
              done({status: r.status, type: r.headers.get('content-type'),
                    head: String.fromCharCode(...bytes.slice(0, 4)), wave: String.fromCharCode(...bytes.slice(8, 12)),
                    size: bytes.length});
            }).catch((e) => done({error: String(e)}));
            """) as? [String: Any]
        #expect(fetched?["status"] as? Int == 200, "preview fetch: \(String(describing: fetched))")
        #expect((fetched?["type"] as? String)?.hasPrefix("audio/wav") == true, "preview fetch: \(String(describing: fetched))")
        #expect(fetched?["head"] as? String == "RIFF" && fetched?["wave"] as? String == "WAVE")
        #expect(((fetched?["size"] as? NSNumber)?.intValue ?? 0) > 8_000, "a spoken sentence, not an empty file")
        // ...that the browser's own player loads and decodes (it knows the duration).
        #expect(browser.waitUntil {
            let duration = try browser.execute("return document.getElementById('preview').duration") as? NSNumber
            return (duration?.doubleValue ?? 0) > 1
        }, "the <audio> element did not load the preview: \(String(describing: try? browser.execute("const a = document.getElementById('preview'); return [a.readyState, a.networkState, a.error && a.error.code]")))")

        // Publish: a new version, current for new calls.
        try browser.click(try browser.element("#publish-button"))
        var newVersion: Int64?
        #expect(browser.waitUntil {
            newVersion = Self.version(try browser.text(try browser.element("#current-version")))
            return newVersion != nil && newVersion != oldVersion
        }, "no new version after publishing: \((try? browser.pageSource()) ?? "")")
        let published = try #require(newVersion)
        let history = try browser.text(try browser.element("#versions"))
        #expect(history.contains("v\(published)") && history.contains(Self.note) && history.contains(Self.editor),
                "versions: \(history)")
        #expect(try browser.property(try browser.element("textarea[name=text]"), "value") as? String == Self.newText)

        // Call A is still up (row open, sipp still waiting) and has heard only the old version.
        #expect(held.isRunning, "call A ended before the publish was checked; log:\n\(run.log())")
        #expect(try await store.call(id: callA)?.endedAt == nil)

        // Call B, placed after the publish, plays the new version.
        let b = try run.sipp(scenario: SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"1500\"/>"))
        #expect(b.status == 0, "call B failed:\n\(b.output)\nserver log:\n\(run.log())")
        // Now A hangs up (its BYE after the NOTIFY); a retry only if sipp did not get the first.
        try Self.release(callID: callA, sippPort: sippPort)
        var aStatus = wait(held, seconds: 10, kill: false)
        if held.isRunning {
            try Self.release(callID: callA, sippPort: sippPort)
            aStatus = wait(held, seconds: 30)
        }
        #expect(aStatus == 0, "call A (sipp) failed; log:\n\(run.log())")

        // The records: every call ended; A played only the old greeting, B only the new one.
        var calls: [CallRecord] = []
        let ended = await Self.eventually {
            calls = try await store.calls()
            return calls.count == 4 && calls.allSatisfy { $0.endedAt != nil }
        }
        #expect(ended, "calls: \(calls); log:\n\(run.log())")
        let callB = try #require(calls.first { $0.id != callA && $0.startedAt > (calls.first { $0.id == callA }?.startedAt ?? .distantFuture) })
        #expect(try await Self.greetingVersions(store, callA) == [oldVersion], "call A must keep v\(oldVersion)")
        #expect(try await Self.greetingVersions(store, callB.id) == [published], "call B must play v\(published)")
        #expect(try await store.calls().filter { $0.id != callA && $0.id != callB.id }.count == 2)
    }
}

extension ServerRun {
    /// Starts sipp for one call of `scenario` from `sipPort` without waiting (the caller ends it).
    func startSipp(scenario: String, sipPort: Int, extra: [String] = []) throws -> Process {
        let file = directory.appendingPathComponent("scenario-\(UUID().uuidString.prefix(6)).xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        p.currentDirectoryURL = directory
        p.arguments = ["-sf", file.path, "-m", "1", "-timeout", "200s", "-timeout_error", "-nostdin",
                       "-i", "127.0.0.1", "-p", "\(sipPort)", "-mp", "\(try freeUDPPort(even: true))"] + extra
            + ["127.0.0.1:\(self.sipPort)"]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// Waits up to `seconds` for `p`; unlike `wait(_:seconds:)` leaves it running past that when
/// `kill` is false. Returns the exit status, or -1 while it runs.
func wait(_ p: Process, seconds: Double, kill: Bool) -> Int32 {
    if kill { return wait(p, seconds: seconds) }
    let deadline = Date().addingTimeInterval(seconds)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    return p.isRunning ? -1 : p.terminationStatus
}
