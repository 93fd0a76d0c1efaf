import Foundation
import Synchronization
import Testing
import VoiceGateDialog
import VoiceGateStore

/// `CallRecorder.endWritten`: what the gateway waits on before answering a caller's BYE.
@Suite struct CallEndWrittenTests {
    @Test func waitsUntilTheCallsEndIsInSQLite() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store, flushInterval: .seconds(3600))
        recorder.callStarted(start("bye"))
        await recorder.flush()

        // The BYE arrived: the gateway waits before its media loop has even ended.
        let released = Mutex(false)
        let waiter = Task {
            await recorder.endWritten(callID: "bye")
            released.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(released.withLock { $0 } == false, "released before the call ended")
        #expect(try await store.call(id: "bye")?.endedAt == nil)

        recorder.record(callID: "bye", TraceEvent(atMs: 4000, node: "main_menu", .hangup(by: "caller", outcome: .abandoned)))
        recorder.mediaEnded(callID: "bye", detail: "call closed by SIP")
        await waiter.value
        // No flush in between: what endWritten promised is already on disk.
        let row = try #require(try await store.call(id: "bye"))
        #expect(row.endedAt != nil && row.outcome == .abandoned)
        await recorder.close()
    }

    @Test func aCallTheRecordsDoNotHoldOpenReturnsAtOnce() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store, flushInterval: .seconds(3600))
        await recorder.endWritten(callID: "never-started")
        recorder.callStarted(start("done"))
        recorder.mediaEnded(callID: "done")
        await recorder.endWritten(callID: "done")
        await recorder.endWritten(callID: "done")  // finished already: at once
        #expect(try await store.call(id: "done")?.endedAt != nil)
        await recorder.close()
    }

    @Test func closingTheRecorderReleasesWaitersAndLaterWaitsReturn() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store, flushInterval: .seconds(3600))
        recorder.callStarted(start("open"))
        let waiter = Task { await recorder.endWritten(callID: "open") }
        try await Task.sleep(for: .milliseconds(100))
        await recorder.close()
        await waiter.value
        await recorder.endWritten(callID: "open")  // after close: nothing to wait for
        #expect(try await store.call(id: "open")?.endedAt == nil, "a call still running stays open")
    }
}
