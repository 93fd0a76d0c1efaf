import Foundation
import Testing
import VoiceGateDialog
import VoiceGateStore

/// Account digits and PINs never reach the records file, even if an event carried them
/// unmasked (the engine masks at the source; the store masks again).
@Suite struct PrivacyTests {
    @Test func maskedKeysAndMaskedFieldsAreStoredAsStarsOnly() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let recorder = CallRecorder(store: store)
        recorder.callStarted(start("secret-call"))
        var t: Int64 = 0
        // A buggy producer: masked keys with their real digits (account 1234, PIN 4321).
        for digit in "12344321" {
            t += 300
            recorder.record(callID: "secret-call", TraceEvent(atMs: t, node: digit == "1" ? "identify_account" : "identify_pin",
                                                              .dtmf(digit: String(digit), masked: true, typeAhead: false)))
        }
        let leaky = context(callID: "secret-call", masked: ["account_last4": "1234", "pin": "4321"])
        recorder.record(callID: "secret-call", TraceEvent(atMs: t + 10, node: "agent",
                                                          .transfer(queue: "general", reason: "agent_request", priority: 0, context: leaky)))
        recorder.record(callID: "secret-call", TraceEvent(atMs: t + 10, node: "agent", .hangup(by: "transfer", outcome: .transferred)))
        recorder.mediaEnded(callID: "secret-call", detail: "transfer requested")
        recorder.sipEnded(callID: "secret-call", detail: "transferred")
        await recorder.close()

        let events = try await store.events(callID: "secret-call")
        let keys = events.compactMap { event -> String? in
            if case let .dtmf(digit, _, _) = event.detail { return digit }
            return nil
        }
        #expect(keys == Array(repeating: "*", count: 8))
        let stored = try #require(try await store.transferContext(callID: "secret-call"))
        #expect(stored.maskedFields == ["account_last4": "****", "pin": "****"])
        try store.close()

        let bytes = file.rawBytes()
        #expect(contains(bytes, "secret-call"), "the scan reads the records")
        #expect(contains(bytes, "identify_pin"), "the scan reads the events")
        #expect(!contains(bytes, "1234") && !contains(bytes, "4321"))
    }
}
