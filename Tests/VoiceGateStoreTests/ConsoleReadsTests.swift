import Foundation
import Testing
import VoiceGateDialog
import VoiceGateStore

/// The reads the console adds: paging the call list, and folding a time window's calls with
/// their events one at a time.
@Suite struct ConsoleReadsTests {
    /// Five finished calls a minute apart (c0 oldest), each with a node and a hangup event.
    func fiveCalls(_ file: TempStoreFile) async throws -> CallStore {
        let store = try CallStore(path: file.path)
        for index in 0..<5 {
            let at = fixedNow.addingTimeInterval(Double(index) * 60)
            try await store.recordWholeCall(
                start("c\(index)", at: at),
                events: [TraceEvent(atMs: 0, node: "greeting", .node),
                         TraceEvent(atMs: 900 + Int64(index), node: "greeting", .hangup(by: "caller", outcome: .abandoned))],
                end: CallEnd(endedAt: at.addingTimeInterval(1), outcome: .abandoned))
        }
        return store
    }

    @Test func pagesOfTheCallListDoNotOverlap() async throws {
        let file = TempStoreFile()
        let store = try await fiveCalls(file)
        defer { try? store.close() }
        let first = try await store.calls(filter: CallFilter(limit: 2)).map(\.id)
        let second = try await store.calls(filter: CallFilter(limit: 2, offset: 2)).map(\.id)
        let last = try await store.calls(filter: CallFilter(limit: 2, offset: 4)).map(\.id)
        #expect(first == ["c4", "c3"] && second == ["c2", "c1"] && last == ["c0"])
    }

    @Test func aWindowIsFoldedOldestFirstWithEachCallsEvents() async throws {
        let file = TempStoreFile()
        let store = try await fiveCalls(file)
        defer { try? store.close() }
        // Calls c1...c3: the window's end is exclusive.
        let (seen, truncated) = try await store.reduceCalls(
            startedFrom: fixedNow.addingTimeInterval(60), startedBefore: fixedNow.addingTimeInterval(240),
            into: [String]()) { seen, call, events in
                seen.append("\(call.id):\(events.count):\(events.last?.atMs ?? -1)")
            }
        #expect(seen == ["c1:2:901", "c2:2:902", "c3:2:903"] && !truncated)
        let (limited, cut) = try await store.reduceCalls(
            startedFrom: fixedNow, startedBefore: fixedNow.addingTimeInterval(3600), limit: 2,
            into: 0) { count, _, _ in count += 1 }
        #expect(limited == 2 && cut)
    }
}
