/// VoiceGateStore keeps what the gateway must never lose: call records, their events,
/// transfer contexts, prompt and menu versions and the admin audit trail, in SQLite
/// (GRDB, WAL mode). It knows nothing of SIP or audio; the server writes into it through
/// `CallRecorder`, and readers (console, context API) use `CallStore`. Schema, outcome
/// mapping and retention: docs/records.md.
public enum VoiceGateStore {
    /// The schema version this build writes (bumped by each new migration).
    public static let schemaVersion = StoreMigrations.identifiers.count
}
