import Foundation
import Glibc
import Testing
import VoiceGateStore

/// `voicegate serve --db` killed with SIGKILL in the middle of a sipp load (15 calls/s, each a
/// short call the caller hangs up): every call whose BYE sipp saw answered 200 is in the
/// records with its end and outcome, the calls cut off are `interrupted` after the gateway
/// starts again, and SQLite finds the file sound.
@Suite(.serialized) struct RecordsKillUnderLoadTests {
    /// The usual call (INVITE, ACK, `pauseMs`, BYE, 200) that logs `answered <Call-ID>` after the
    /// ACK and `completed <Call-ID> <seconds> <microseconds>` once its BYE got the 200.
    static func loggingScenario(pauseMs: Int) -> String {
        let answered = #"  <nop><action><log message="answered [call_id]"/></action></nop>"#
        let full = SippEndToEndTests.scenario(middle: answered + "\n  <pause milliseconds=\"\(pauseMs)\"/>")
        let completed = """
              <nop><action><gettimeofday assign_to="s,us"/><log message="completed [call_id] [$s] [$us]"/></action></nop>
            </scenario>
            """
        return full.replacingOccurrences(of: "</scenario>", with: completed)
    }

    /// What sipp's `-trace_logs` file says: the answered calls, and for each completed call
    /// when its BYE's 200 arrived.
    static func parseLog(_ text: String) -> (answered: Set<String>, completed: [String: Date]) {
        var answered: Set<String> = []
        var completed: [String: Date] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "answered" { answered.insert(String(words[1])) }
            if words.count == 4, words[0] == "completed", let s = Double(words[2]), let us = Double(words[3]) {
                completed[String(words[1])] = Date(timeIntervalSince1970: s + us / 1_000_000)
            }
        }
        return (answered, completed)
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func kill9UnderSippLoadLosesNoFinishedCall() async throws {
        let run = try ServerRun(extraArguments: ["--media-timeout", "300", "--max-calls-per-second", "100"])
        defer { run.stop() }
        let folder = run.directory.appendingPathComponent("load")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scenario = folder.appendingPathComponent("load.xml")
        try Self.loggingScenario(pauseMs: 3000).write(to: scenario, atomically: true, encoding: .utf8)

        // 15 new calls a second, each 3 s long (so dozens are running at any moment), up to 300 (20 s: the kill comes long before,
        // even when a starved test run sees the records late); once the server is gone, unanswered
        // messages end each call after 3 s, so sipp finishes on its own.
        let sipp = Process()
        sipp.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        sipp.currentDirectoryURL = folder
        sipp.arguments = ["-sf", scenario.path, "-r", "15", "-rp", "1000", "-l", "60", "-m", "300",
                          "-recv_timeout", "3000", "-timeout", "120s", "-nostdin", "-trace_logs",
                          "-i", "127.0.0.1", "-p", "\(try freeUDPPort())", "-mp", "\(try freeUDPPort(even: true))",
                          "127.0.0.1:\(run.sipPort)"]
        sipp.standardInput = FileHandle.nullDevice
        sipp.standardOutput = FileHandle.nullDevice
        sipp.standardError = FileHandle.nullDevice
        try sipp.run()
        defer { if sipp.isRunning { kill(sipp.processIdentifier, SIGKILL); _ = wait(sipp, seconds: 5) } }

        // Mid-load: once the records hold 40 finished calls while others are running, kill -9.
        let observer = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        var finishedAtKill = 0
        var openAtKill = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, sipp.isRunning {
            let calls = try await observer.calls(filter: CallFilter(limit: 1000))
            finishedAtKill = calls.filter { $0.endedAt != nil }.count
            openAtKill = calls.count - finishedAtKill
            if finishedAtKill >= 40, openAtKill >= 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try observer.close()
        kill(run.process.processIdentifier, SIGKILL)
        let killedAt = Date()
        #expect(wait(run.process, seconds: 5) != 0)
        #expect(finishedAtKill >= 40 && openAtKill >= 1,
                "the load did not reach 40 finished calls with some running (\(finishedAtKill), \(openAtKill)); log:\n\(run.log())")

        // sipp gives up on the rest by itself (recv timeout); its log is complete once it exits.
        _ = wait(sipp, seconds: 45)
        let logs = (try FileManager.default.contentsOfDirectory(atPath: folder.path)).filter { $0.hasSuffix("_logs.log") }
        let logText = logs.compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined()
        let (answered, completed) = Self.parseLog(logText)
        // The records hold a call's end before its 200 leaves, so sipp may have seen a few fewer.
        #expect(completed.count >= 30, "sipp completed \(completed.count) calls; logs \(logs)")
        #expect(answered.count > completed.count, "some calls were cut off by the kill")

        // The file as the crash left it: sound, every completed call ended with its outcome.
        let crashed = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        #expect(try crashed.integrityProblems().isEmpty)
        let rows = Dictionary(uniqueKeysWithValues: try await crashed.calls(filter: CallFilter(limit: 1000)).map { ($0.id, $0) })
        // The gateway answers a BYE only once the call's end is in SQLite, so every call whose
        // 200 sipp saw, even in the last moment before the kill, is there with its outcome.
        for (id, byeAnswered) in completed.sorted(by: { $0.value < $1.value }) {
            let row = rows[id]
            let before = String(format: "%.3f", killedAt.timeIntervalSince(byeAnswered))
            #expect(row?.endedAt != nil && row?.outcome != nil && row?.outcome != .interrupted,
                    "call \(id), whose BYE was answered \(before) s before the kill: \(String(describing: row))")
        }
        for id in answered { #expect(rows[id] != nil, "answered call \(id) has no row") }
        let open = rows.values.filter { $0.endedAt == nil }.map(\.id)
        #expect(!open.isEmpty, "calls in progress at the kill")
        #expect(Set(open).isDisjoint(with: completed.keys))
        try crashed.close()

        // The gateway starts again on the same file: what the crash left open is `interrupted`.
        let again = try ServerRun(extraArguments: ["--db", run.databasePath])
        #expect(again.log().contains("records: \(open.count) call(s) left open by the previous run marked interrupted"),
                "restart log:\n\(again.log())")
        #expect(again.stop() == 0)
        let restarted = try CallStore(path: run.databasePath, recoverOpenCalls: false)
        defer { try? restarted.close() }
        #expect(try restarted.integrityProblems().isEmpty)
        for id in open { #expect(try await restarted.call(id: id)?.outcome == .interrupted, "call \(id)") }
        for id in completed.keys { #expect(try await restarted.call(id: id)?.outcome == rows[id]?.outcome) }
        #expect(try await restarted.calls(filter: CallFilter(limit: 1000)).allSatisfy { $0.endedAt != nil && $0.outcome != nil })
    }
}
