import Foundation
import Glibc
import Testing
import VoiceGateDialog
import VoiceGateStore
import VoiceGateTestSupport

/// `voicegate serve --db` killed with SIGKILL: a finished call is in the records with its
/// outcome and events; a call that was running is there (row and first events) and becomes
/// `interrupted` when the records are opened again.
@Suite(.serialized) struct RecordsDurabilityTests {
    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func kill9KeepsTheFinishedCallAndMarksTheRunningOneInterrupted() async throws {
        // A long media timeout: the running call sends no RTP and must still be running at the kill.
        let run = try ServerRun(extraArguments: ["--media-timeout", "300"])
        defer { run.stop() }
        let db = run.directory.appendingPathComponent("db.sqlite").path

        // The finished call: answered, 1.5 s, then the caller's BYE.
        let short = try run.sipp(scenario: SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"1500\"/>"))
        #expect(short.status == 0, "sipp failed:\n\(short.output)\nserver log:\n\(run.log())")
        // The running call: answered, then 120 s of silence on our side (started after the first
        // ended, so on a slow machine the menu's own no-input escalation cannot end it first).
        let long = try run.startSipp(scenario: SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"120000\"/>"))
        defer { _ = wait(long, seconds: 0) }

        // Wait (bounded) until the records show the end of one call and events of the other,
        // reading through a second connection as the console would, then kill -9.
        let observer = try CallStore(path: db, recoverOpenCalls: false)
        // Generous: in the full suite this process's test threads are often all blocked for seconds.
        let deadline = Date().addingTimeInterval(60)
        var ready = false
        while !ready, Date() < deadline {
            let calls = try await observer.calls()
            let open = calls.filter { $0.endedAt == nil }
            var runningEvents: [TraceEvent] = []
            if let running = open.first { runningEvents = try await observer.events(callID: running.id) }
            ready = calls.count == 2 && calls.contains { $0.endedAt != nil } && !runningEvents.isEmpty
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try observer.close()
        #expect(ready, "records not written in time; log:\n\(run.log())")
        kill(run.process.processIdentifier, SIGKILL)
        #expect(wait(run.process, seconds: 5) != 0)

        let afterCrash = try CallStore(path: db, recoverOpenCalls: false)
        let calls = try await afterCrash.calls()
        #expect(calls.count == 2)
        let finished = try #require(calls.first { $0.endedAt != nil })
        #expect(finished.outcome == .abandoned, "hung up after the greeting without service")
        #expect(finished.callerNumber == "+15550001")
        let events = try await afterCrash.events(callID: finished.id)
        #expect(events.contains { $0.type == "node" } && events.contains { $0.type == "prompt" }, "events: \(events)")
        #expect(events.last.map { if case .hangup(by: "caller", outcome: .abandoned) = $0.detail { true } else { false } } == true)
        let running = try #require(calls.first { $0.endedAt == nil })
        #expect(running.outcome == nil)
        try afterCrash.close()

        // The next start of the gateway opens the records and closes what the crash left open.
        let restarted = try CallStore(path: db)
        #expect(try await restarted.call(id: running.id)?.outcome == .interrupted)
        #expect(try await restarted.call(id: finished.id)?.outcome == .abandoned)
        try restarted.close()
    }
}

extension ServerRun {
    /// Starts sipp with `scenario` for one call without waiting for it (the caller kills it).
    func startSipp(scenario: String) throws -> Process {
        let file = directory.appendingPathComponent("scenario-\(UUID().uuidString.prefix(6)).xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        p.currentDirectoryURL = directory
        p.arguments = ["-sf", file.path, "-m", "1", "-timeout", "150s", "-nostdin",
                       "-i", "127.0.0.1", "-p", "\(try freeUDPPort())", "-mp", "\(try freeUDPPort(even: true))",
                       "127.0.0.1:\(sipPort)"]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}
