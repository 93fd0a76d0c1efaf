import Foundation
import Testing
import VoiceGateDialog
import VoiceGateStore

@Suite struct CallLifecycleTests {
    let node = TraceEvent(atMs: 0, node: "main_menu", .node)
    let prompt = TraceEvent(atMs: 10, node: "main_menu",
                            .prompt(id: "main_menu", language: .zh, state: .started, playID: "p1"))
    let intent = TraceEvent(atMs: 900, node: "main_menu", .intent(name: "balance", confidence: 1, source: .dtmf))

    @Test func theRowIsThereFromTheStartAndTheEndArrivesWithTheLastEvents() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        // No periodic flush during the test: only the start and the end write.
        let recorder = CallRecorder(store: store, flushInterval: .seconds(3600))
        let began = Date()
        recorder.callStarted(start("life", at: began))
        recorder.record(callID: "life", node)
        recorder.record(callID: "life", prompt)
        await recorder.flush()
        let open = try #require(try await store.call(id: "life"))
        #expect(open.endedAt == nil && open.outcome == nil)
        #expect(try await store.events(callID: "life") == [node, prompt])

        recorder.record(callID: "life", intent)
        let hangup = TraceEvent(atMs: 5000, node: "say_balance", .hangup(by: "caller", outcome: .selfServed))
        recorder.record(callID: "life", hangup)
        recorder.mediaEnded(callID: "life", detail: "call closed by SIP", at: began.addingTimeInterval(5))
        await recorder.flush()
        let done = try #require(try await store.call(id: "life"))
        #expect(done.outcome == .selfServed)
        #expect(done.language == "zh", "the language prompts last used")
        #expect(done.endDetail == "call closed by SIP")
        #expect(abs((done.endedAt ?? .distantPast).timeIntervalSince(began) - 5) < 0.01)
        #expect(try await store.events(callID: "life") == [node, prompt, intent, hangup])
        await recorder.close()
    }

    @Test func eventsOfARunningCallReachTheDiskWithinTheFlushInterval() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store, flushInterval: .milliseconds(50))
        recorder.callStarted(start("tick"))
        recorder.record(callID: "tick", node)
        var seen: [TraceEvent] = []
        for _ in 0..<100 where seen.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            seen = try await store.events(callID: "tick")
        }
        #expect(seen == [node])
        await recorder.close()
    }

    @Test func aTransferStoresItsContextAtOnceAndItsOutcomeWhenSIPReports() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store, flushInterval: .seconds(3600))
        for (id, failed) in [("ok", false), ("bad", true)] {
            recorder.callStarted(start(id))
            recorder.record(callID: id, TraceEvent(atMs: 3000, node: "agent",
                                                   .transfer(queue: "general", reason: "agent_request", priority: 0,
                                                             context: context(callID: id))))
            recorder.record(callID: id, TraceEvent(atMs: 3000, node: "agent", .hangup(by: "transfer", outcome: .transferred)))
            recorder.mediaEnded(callID: id, detail: "transfer requested")
            await recorder.flush()
            // The agent can fetch the context while the REFER is still running.
            #expect(try await store.transferContext(callID: id) == context(callID: id))
            #expect(try await store.call(id: id)?.endedAt == nil)
            recorder.transferResolved(callID: id, failed: failed, detail: failed ? "transfer_failed (NOTIFY sipfrag 486)" : "transferred")
            recorder.sipEnded(callID: id, detail: failed ? "transfer_failed (NOTIFY sipfrag 486)" : "transferred")
        }
        await recorder.flush()
        let ok = try #require(try await store.call(id: "ok"))
        let bad = try #require(try await store.call(id: "bad"))
        #expect(ok.outcome == .transferred && ok.transferReason == "agent_request")
        #expect(bad.outcome == .failed && bad.transferReason == "agent_request")
        #expect(bad.endDetail == "transfer_failed (NOTIFY sipfrag 486)")
        #expect(try await store.transfers(callID: "ok").map(\.queue) == ["general"])
        await recorder.close()
    }

    @Test func aCallWhoseMediaStoppedWithoutAHangupFailed() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store)
        recorder.callStarted(start("silent"))
        recorder.record(callID: "silent", node)
        recorder.mediaEnded(callID: "silent", detail: "media timeout")
        await recorder.close()
        let call = try #require(try await store.call(id: "silent"))
        #expect(call.outcome == .failed && call.endDetail == "media timeout")
    }

    @Test func outcomesFollowTheEngineAndTheTransferResult() {
        #expect(OutcomeRule.outcome(engine: .selfServed, transferFailed: false) == .selfServed)
        #expect(OutcomeRule.outcome(engine: .abandoned, transferFailed: false) == .abandoned)
        #expect(OutcomeRule.outcome(engine: .failed, transferFailed: false) == .failed)
        #expect(OutcomeRule.outcome(engine: .transferred, transferFailed: false) == .transferred)
        #expect(OutcomeRule.outcome(engine: .transferred, transferFailed: true) == .failed)
        #expect(OutcomeRule.outcome(engine: nil, transferFailed: false) == .failed)
    }

    @Test func reopeningMarksCallsLeftOpenAsInterruptedAtTheirLastEvent() async throws {
        let file = TempStoreFile()
        let began = Date(timeIntervalSince1970: 1_790_000_000)
        do {
            let store = try CallStore(path: file.path)
            try await store.begin(start("crashed", at: began))
            try await store.append([(callID: "crashed", events: [node, TraceEvent(atMs: 1500, node: "main_menu", .noInput(count: 1))])])
            try await store.begin(start("finished", at: began))
            try await store.finish(callID: "finished", end: CallEnd(endedAt: began.addingTimeInterval(9), outcome: .abandoned))
            try store.close()
        }
        // Another process's view (simulate): open calls are left alone.
        let observer = try CallStore(path: file.path, recoverOpenCalls: false)
        #expect(try await observer.call(id: "crashed")?.outcome == nil)
        try observer.close()

        let reopened = try CallStore(path: file.path)
        let crashed = try #require(try await reopened.call(id: "crashed"))
        #expect(crashed.outcome == .interrupted)
        #expect(crashed.endedAt.map { abs($0.timeIntervalSince(began) - 1.5) < 0.01 } == true)
        #expect(try await reopened.call(id: "finished")?.outcome == .abandoned)
        #expect(try await reopened.calls(filter: CallFilter(outcome: .interrupted)).map(\.id) == ["crashed"])
    }

    @Test func callsAreFilteredByTimeOutcomeCallerAndNode() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let rows: [(String, Double, String, RecordedOutcome, String)] = [
            ("a", 3, "+15550001", .selfServed, "say_balance"),
            ("b", 2, "+15550002", .transferred, "agent"),
            ("c", 1, "+15550001", .abandoned, "main_menu"),
        ]
        for (id, days, caller, outcome, place) in rows {
            let at = fixedNow.daysAgo(days)
            try await store.recordWholeCall(start(id, at: at, caller: caller),
                                            events: [TraceEvent(atMs: 0, node: place, .node)],
                                            end: CallEnd(endedAt: at.addingTimeInterval(30), outcome: outcome))
        }
        #expect(try await store.calls().map(\.id) == ["c", "b", "a"])
        #expect(try await store.calls(filter: CallFilter(callerNumber: "+15550001")).map(\.id) == ["c", "a"])
        #expect(try await store.calls(filter: CallFilter(outcome: .transferred)).map(\.id) == ["b"])
        #expect(try await store.calls(filter: CallFilter(node: "say_balance")).map(\.id) == ["a"])
        #expect(try await store.calls(filter: CallFilter(startedFrom: fixedNow.daysAgo(2.5), startedBefore: fixedNow.daysAgo(1.5)))
            .map(\.id) == ["b"])
        #expect(try await store.calls(filter: CallFilter(limit: 1)).map(\.id) == ["c"])
    }
}
