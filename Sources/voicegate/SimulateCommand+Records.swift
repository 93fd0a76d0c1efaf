import Foundation
import VoiceGateDialog
import VoiceGateMedia
import VoiceGateStore

extension SimulateCommand {
    /// Stores the simulated call in `path` like the gateway stores a real one: its row, events
    /// (masked as in the trace) and transfer context, written in one transaction. A transfer
    /// counts as done (there is no SIP side to fail it). Calls other processes are recording
    /// into the same file are left alone (no interrupted-call recovery here).
    func recordCall(_ call: CallInfo, result: CallSimulator.Result, menu: Menu, in path: String) async throws {
        let store = try CallStore(path: path, recoverOpenCalls: false)
        defer { try? store.close() }
        let version = try await store.registerMenuVersion(name: menu.name, content: try readText(files.menu),
                                                          author: "voicegate simulate")
        let ended = Date()
        let start = CallStart(callID: call.callID, startedAt: ended.addingTimeInterval(-result.durationSeconds),
                              callerNumber: call.callerNumber, calledNumber: call.calledNumber,
                              language: menu.defaultLanguage.rawValue, menuVersion: version.id)
        let language = result.trace.reversed().lazy.compactMap { event -> String? in
            if case let .prompt(_, language, _, _) = event.detail { return language.rawValue }
            return nil
        }.first
        let end = CallEnd(endedAt: ended, outcome: OutcomeRule.outcome(engine: result.outcome, transferFailed: false),
                          transferReason: result.transfer?.reason, detail: "simulated", language: language)
        try await store.recordWholeCall(start, events: result.trace, end: end)
    }
}
