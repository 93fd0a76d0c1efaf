public import Foundation
public import VoiceGateDialog
import GRDB

/// The records database: one SQLite file opened as a GRDB `DatabasePool` in WAL mode.
///
/// Why a pool and not a `DatabaseQueue`: the gateway writes all the time (events of every
/// call, batched) while the console and the context API read (`GET /api/calls/{id}/context`
/// is on an agent's critical path). A pool lets those reads run on their own connections
/// against the last committed snapshot, never queued behind a write; a queue would serialise
/// everything. Writes stay serial either way (one writer connection), which `CallRecorder`
/// already guarantees.
///
/// `secure_delete` is on, so rows removed by retention are overwritten on disk, not left in
/// free pages. Writes here are `async` and run on GRDB's writer queue, never on the caller's
/// thread; the SIP/RTP loops use `CallRecorder`, which does not even wait for them.
public final class CallStore: Sendable {
    let pool: DatabasePool

    /// Opens (creating) the database at `path` and migrates it. With `recoverOpenCalls`
    /// (what a gateway wants at start) calls left open by a previous run are marked
    /// `interrupted`; pass false when another process may be recording into the same file.
    public init(path: String, recoverOpenCalls: Bool = true) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.label = "VoiceGateStore"
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try StoreMigrations.migrator.migrate(pool)
        if recoverOpenCalls { _ = try markOpenCallsInterrupted() }
    }

    /// Closes the connections; later calls throw.
    public func close() throws { try pool.close() }

    /// The migrations applied to the file, in order (for tests and `check-config`).
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try StoreMigrations.migrator.appliedIdentifiers(db) }.sorted()
    }

    // MARK: - Call lifecycle

    /// Marks every call without an end as `interrupted`, ended at its last event (or its
    /// start when it has none). Returns how many. Runs on open; synchronous because nothing
    /// else uses the file yet.
    @discardableResult
    public func markOpenCallsInterrupted() throws -> Int {
        try pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.id, c.started_at, (SELECT max(t_ms) FROM events e WHERE e.call_id = c.id) AS last_ms
                FROM calls c WHERE c.ended_at IS NULL
                """)
            for row in rows {
                let started: Date = row["started_at"]
                let lastMs: Int64 = row["last_ms"] ?? 0
                try db.execute(
                    sql: """
                        UPDATE calls SET ended_at = ?, outcome = 'interrupted',
                            end_detail = 'gateway stopped before the call ended'
                        WHERE id = ?
                        """,
                    arguments: [started.addingTimeInterval(Double(lastMs) / 1000), row["id"] as String])
            }
            return rows.count
        }
    }

    /// Writes the call's row (no end yet). A call id seen before is an error.
    public func begin(_ call: CallStart) async throws {
        try await pool.write { db in try Self.insert(call, db) }
    }

    /// Appends events of one or more calls in one transaction, in the given order.
    public func append(_ batch: [(callID: String, events: [TraceEvent])]) async throws {
        guard batch.contains(where: { !$0.events.isEmpty }) else { return }
        try await pool.write { db in
            for (callID, events) in batch { try Self.insert(events, callID: callID, db) }
        }
    }

    /// Appends `events`, then sets the call's end: one transaction, so a finished call is
    /// either entirely there with all its events or still open.
    public func finish(callID: String, end: CallEnd, events: [TraceEvent] = []) async throws {
        try await pool.write { db in
            try Self.insert(events, callID: callID, db)
            try db.execute(
                sql: """
                    UPDATE calls SET ended_at = ?, outcome = ?, transfer_reason = ?, end_detail = ?,
                        language = coalesce(?, language)
                    WHERE id = ?
                    """,
                arguments: [end.endedAt, end.outcome.rawValue, end.transferReason, end.detail, end.language, callID])
        }
    }

    /// Stores what the agent gets when the IVR transfers, with the call's pending events and
    /// the transfer webhook's outbox message, in one transaction (the context API must find it
    /// before the agent answers; the webhook must not lose it).
    public func recordTransfer(callID: String, queue: String, reason: String, priority: Int, context: TransferContext,
                               at: Date, events: [TraceEvent] = []) async throws {
        let masked = EventPrivacy.masked(context)
        let json = try Self.json(masked)
        try await pool.write { db in
            try Self.enqueueTransfer(callID: callID, queue: queue, reason: reason, priority: priority,
                                     maskedContext: masked, at: at, db)
            try Self.insert(events, callID: callID, db)
            try db.execute(
                sql: """
                    INSERT INTO transfers (call_id, queue, reason, priority, context, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [callID, queue, reason, priority, json, at])
        }
    }

    /// One whole call at once (a simulated call, an import): start, events and end in one
    /// transaction, with the transfer row if the events hold one.
    public func recordWholeCall(_ call: CallStart, events: [TraceEvent], end: CallEnd) async throws {
        let transfers = try events.compactMap { event -> (String, String, Int, String)? in
            guard case let .transfer(queue, reason, priority, context) = event.detail else { return nil }
            return (queue, reason, priority, try Self.json(EventPrivacy.masked(context)))
        }
        try await pool.write { db in
            try Self.insert(call, db)
            try Self.insert(events, callID: call.callID, db)
            for (queue, reason, priority, json) in transfers {
                try db.execute(
                    sql: "INSERT INTO transfers (call_id, queue, reason, priority, context, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [call.callID, queue, reason, priority, json, end.endedAt])
            }
            try db.execute(
                sql: """
                    UPDATE calls SET ended_at = ?, outcome = ?, transfer_reason = ?, end_detail = ?,
                        language = coalesce(?, language)
                    WHERE id = ?
                    """,
                arguments: [end.endedAt, end.outcome.rawValue, end.transferReason, end.detail, end.language, call.callID])
        }
    }

    // MARK: - Rows

    static func insert(_ call: CallStart, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO calls (id, started_at, caller_number, called_number, language, menu_version)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [call.callID, call.startedAt, call.callerNumber, call.calledNumber, call.language,
                        call.menuVersion])
    }

    static func insert(_ events: [TraceEvent], callID: String, _ db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO events (call_id, t_ms, node, type, detail) VALUES (?, ?, ?, ?, ?)")
        for event in events {
            let safe = EventPrivacy.masked(event)
            try statement.execute(arguments: [callID, safe.atMs, safe.node, safe.type, try EventJSON.detail(of: safe)])
        }
    }

    /// Compact JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
