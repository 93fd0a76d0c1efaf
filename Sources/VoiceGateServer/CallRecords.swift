import Foundation
public import Logging
public import VoiceGateStore

/// The gateway's call records (`voicegate serve --db`): the store, the recorder that the SIP
/// and media loops write into without waiting, the menu version calls run, and the hourly
/// retention purge. Open it before serving and `close()` it after.
public final class GatewayRecords: Sendable {
    /// The records database.
    public let store: CallStore
    /// The non-blocking writer the calls use.
    public let recorder: CallRecorder
    /// `menu_versions.id` of the menu this gateway runs.
    public let menuVersion: Int64
    private let retention: Task<Void, Never>

    /// Opens (creating, migrating) the database at `path`, marks calls left open by a previous
    /// run `interrupted`, registers the menu (`menuName`, its YAML) as a version if new, and
    /// starts the recorder and the retention loop (every `retentionInterval`).
    public init(path: String, menuName: String, menuYAML: String, retention policy: RetentionPolicy,
                retentionInterval: Duration = .seconds(3600), logger: Logger) async throws {
        let store = try CallStore(path: path, recoverOpenCalls: false)
        let interrupted = try store.markOpenCallsInterrupted()
        if interrupted > 0 {
            logger.warning("records: \(interrupted) call(s) left open by the previous run marked interrupted")
        }
        self.store = store
        menuVersion = try await store.registerMenuVersion(name: menuName, content: menuYAML, author: "voicegate serve",
                                                          note: "loaded at start").id
        recorder = CallRecorder(store: store) { problem in logger.error("records: \(problem)") }
        retention = Task {
            await store.runRetention(policy: policy, every: retentionInterval) { result in
                switch result {
                case .success(let purged) where purged.events > 0 || purged.calls > 0:
                    logger.notice("records: retention removed \(purged.events) event(s) and \(purged.calls) call(s)")
                case .success: break
                case .failure(let error): logger.error("records: retention purge failed: \(error)")
                }
            }
        }
    }

    /// Stops the retention loop, writes what is queued and closes the database. Calls still
    /// running stay open and are marked `interrupted` at the next start.
    public func close() async {
        retention.cancel()
        await recorder.close()
        try? store.close()
    }
}

extension CallServices {
    /// Writes the call's row as its dialog starts.
    func recordStart(_ plan: MediaPlan) {
        records?.callStarted(CallStart(callID: plan.callID, startedAt: Date(), callerNumber: plan.callerNumber,
                                       calledNumber: plan.calledNumber,
                                       language: engine.menu.defaultLanguage.rawValue, menuVersion: menuVersion))
    }
}

extension CallRecorder {
    /// Tells the records how the SIP side's transfer ended.
    func transferFinished(callID: String, _ outcome: TransferOutcome) {
        switch outcome {
        case .transferred: transferResolved(callID: callID, failed: false, detail: "transferred")
        case .failed(let detail): transferResolved(callID: callID, failed: true, detail: "transfer_failed (\(detail))")
        }
    }
}

extension Optional where Wrapped == MediaEnding {
    /// The `end_detail` of a call whose media loop ended this way.
    var recordDetail: String {
        switch self {
        case .hangUp(let reason)?: return reason
        case .transfer?: return "transfer requested"
        case nil: return "call closed by SIP"
        }
    }
}
