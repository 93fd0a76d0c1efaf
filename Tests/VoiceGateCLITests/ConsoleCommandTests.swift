import Foundation
import Testing
import VoiceGateTestSupport

/// `voicegate console` without a sound card: ALSA's `null` PCM (defined in alsa-lib's global
/// alsa.conf: capture gives silence, playback swallows) stands in for microphone and speaker.
@Suite struct ConsoleCommandTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vg-console-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    /// The package root (menu and prompts are read from the checkout, never from /work/shared).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The default menu and prompts, copied with a one-word greeting and a 400 ms no-input
    /// timeout, so a few seconds of silence reach the no-input handling whatever the real
    /// greeting's length.
    func quickMenuArguments() throws -> [String] {
        let menu = try String(contentsOf: Self.root.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
        let quickMenu = menu.replacingOccurrences(of: #"noinput_ms:\s*\d+"#, with: "noinput_ms: 400", options: .regularExpression)
        try #require(quickMenu != menu, "Config/menu.yaml has no noinput_ms default")
        let menuPath = dir.appendingPathComponent("menu.yaml")
        try quickMenu.write(to: menuPath, atomically: true, encoding: .utf8)

        let prompts = dir.appendingPathComponent("Prompts")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Prompts"), to: prompts)
        let english = prompts.appendingPathComponent("en/prompts.yaml")
        var lines: [String] = []
        var skipping = false
        for line in try String(contentsOf: english, encoding: .utf8).components(separatedBy: "\n") {
            if skipping, line.first == " " { continue }
            skipping = false
            if line.hasPrefix("greeting:") {
                lines.append("greeting: \"Hello.\"")
                skipping = true
            } else {
                lines.append(line)
            }
        }
        try lines.joined(separator: "\n").write(to: english, atomically: true, encoding: .utf8)
        return ["--menu", menuPath.path, "--prompts", prompts.path] + commonArguments()
    }

    /// Bank and cache in the test's folder; the checkout's menu and prompts.
    func commonArguments() -> [String] {
        ["--bank", dir.appendingPathComponent("bank.sqlite").path, "--cache", dir.appendingPathComponent("cache").path]
    }

    func defaultMenuArguments() -> [String] {
        ["--menu", Self.root.appendingPathComponent("Config/menu.yaml").path,
         "--prompts", Self.root.appendingPathComponent("Prompts").path] + commonArguments()
    }

    /// Trace JSON lines as objects.
    func readTrace(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    @Test func runsTheMenuOnTheNullDeviceInRealTime() throws {
        let trace = dir.appendingPathComponent("trace.jsonl")
        let started = Date()
        let r = try runVoicegate(["console", "--device", "null", "--max-seconds", "3", "--trace", trace.path]
                                 + quickMenuArguments())
        let wall = Date().timeIntervalSince(started)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(wall >= 3.0, "3 s of call time must take 3 s of wall time, took \(wall)")

        let events = try readTrace(trace)
        let types = events.compactMap { $0["type"] as? String }
        #expect(events.contains { $0["type"] as? String == "prompt" && $0["id"] as? String == "greeting"
                                  && $0["state"] as? String == "started" }, "\(types)")
        // Silence after the greeting: no-input handling ran (first count 1, then reprompts).
        let noInputs = events.filter { $0["type"] as? String == "noinput" }
        #expect(noInputs.first?["count"] as? Int == 1, "\(types)")
        let last = try #require(events.last)
        #expect(["hangup", "transfer"].contains(last["type"] as? String ?? ""), "\(types)")
        #expect(events.allSatisfy { ($0["t"] as? Double ?? 99) <= 3.0 }, "call time beyond --max-seconds")

        // Human lines on stderr, one JSON summary on stdout.
        #expect(r.stderr.contains("prompt greeting (en) started"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("no input #1"), "stderr: \(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        #expect(["max_seconds", "ivr"].contains(summary["ended"] as? String ?? ""), "\(summary)")
        #expect((summary["nodes"] as? [String])?.first == "greeting", "\(summary)")
        #expect((summary["duration_s"] as? Double ?? 99) <= 3.0, "\(summary)")
    }

    @Test func ctrlCHangsUpCleanly() throws {
        let trace = dir.appendingPathComponent("trace.jsonl")
        let p = Process()
        p.executableURL = try voicegateBinary()
        p.arguments = ["console", "--device", "null", "--max-seconds", "30", "--trace", trace.path] + defaultMenuArguments()
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait until the call is in its first node, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, p.isRunning {
            if let text = try? String(contentsOf: trace, encoding: .utf8), text.contains(#""type":"node""#) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "console ended before Ctrl-C")
        p.interrupt()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "stderr: \(stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any], "\(stderr)")
        #expect(summary["ended"] as? String == "interrupted", "\(summary)")
        #expect((summary["duration_s"] as? Double ?? 99) < 25, "\(summary)")
        let last = try #require(try readTrace(trace).last)
        #expect(last["type"] as? String == "hangup" && last["by"] as? String == "caller", "\(last)")
    }

    @Test func missingCaptureDeviceFailsClearly() throws {
        let r = try runVoicegate(["console", "--device", "nonexistent_device_xyz"] + defaultMenuArguments())
        #expect(r.status != 0)
        #expect(r.stderr.contains("voicegate: console: cannot open ALSA device 'nonexistent_device_xyz' for capture: "),
                "stderr: \(r.stderr)")
        #expect(r.stderr.contains("list devices with 'arecord -L'"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("ALSA lib"), "alsa-lib's own diagnostics should be silenced: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func missingPlaybackDeviceFailsClearly() throws {
        let r = try runVoicegate(["console", "--capture-device", "null", "--playback-device", "nonexistent_device_xyz"]
                                 + defaultMenuArguments())
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot open ALSA device 'nonexistent_device_xyz' for playback: "), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("'aplay -L'"), "stderr: \(r.stderr)")
    }
}
