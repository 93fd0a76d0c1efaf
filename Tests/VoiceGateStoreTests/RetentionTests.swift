import Foundation
import Testing
import VoiceGateDialog
import VoiceGateStore

@Suite struct RetentionTests {
    @Test func purgeDropsOldEventsThenOldCallsButNeverARunningCall() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path, recoverOpenCalls: false)
        let event = TraceEvent(atMs: 0, node: "main_menu", .node)
        let transfer = TraceEvent(atMs: 10, node: "agent", .transfer(queue: "general", reason: "agent_request", priority: 0,
                                                                      context: context(callID: "ancient")))
        for (id, days) in [("recent", 10.0), ("old", 40.0), ("ancient", 500.0)] {
            let at = fixedNow.daysAgo(days)
            try await store.recordWholeCall(start(id, at: at), events: id == "ancient" ? [event, transfer] : [event],
                                            end: CallEnd(endedAt: at.addingTimeInterval(60), outcome: .selfServed))
        }
        try await store.begin(start("running", at: fixedNow.daysAgo(500)))
        try await store.append([(callID: "running", events: [event])])
        #expect(try await store.transferContext(callID: "ancient") != nil)

        let report = try await store.purge(now: fixedNow, policy: RetentionPolicy(eventDays: 30, callDays: 400))
        #expect(report == PurgeReport(events: 3, calls: 1))  // old: 1 event; ancient: 2 events, then the call
        #expect(try await store.events(callID: "recent") == [event])
        #expect(try await store.events(callID: "old").isEmpty)
        #expect(try await store.call(id: "old")?.outcome == .selfServed, "the call row outlives its events")
        #expect(try await store.call(id: "ancient") == nil)
        #expect(try await store.transfers(callID: "ancient").isEmpty)
        #expect(try await store.events(callID: "running") == [event], "a running call is never purged")

        // Nothing more to do at the same instant.
        #expect(try await store.purge(now: fixedNow) == PurgeReport(events: 0, calls: 0))
    }

    @Test func defaultsKeepEventsAMonthAndCallsOverAYear() {
        #expect(RetentionPolicy() == RetentionPolicy(eventDays: 30, callDays: 400))
    }
}
