import Foundation
public import VoiceGateDialog
import GRDB

/// The read API for the console and the context API. Reads run on the pool's reader
/// connections against the last committed state; they never wait for the writer.
extension CallStore {
    /// Calls matching `filter`, newest first.
    public func calls(filter: CallFilter = CallFilter()) async throws -> [CallRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let from = filter.startedFrom {
            conditions.append("started_at >= ?")
            arguments += [from]
        }
        if let before = filter.startedBefore {
            conditions.append("started_at < ?")
            arguments += [before]
        }
        if let outcome = filter.outcome {
            conditions.append("outcome = ?")
            arguments += [outcome.rawValue]
        }
        if let caller = filter.callerNumber {
            conditions.append("caller_number = ?")
            arguments += [caller]
        }
        if let node = filter.node {
            conditions.append("EXISTS (SELECT 1 FROM events e WHERE e.node = ? AND e.call_id = calls.id)")
            arguments += [node]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, filter.limit), max(0, filter.offset)]
        let sql = "SELECT * FROM calls \(whereClause) ORDER BY started_at DESC, id LIMIT ? OFFSET ?"
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.callRecord)
        }
    }

    /// One call, or nil.
    public func call(id: String) async throws -> CallRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE id = ?", arguments: [id]).map(Self.callRecord)
        }
    }

    /// The call's events in the order they happened (empty once retention removed them).
    public func events(callID: String) async throws -> [TraceEvent] {
        // Rows are not Sendable: decode on the reader connection.
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT t_ms, node, type, detail FROM events WHERE call_id = ? ORDER BY id",
                             arguments: [callID])
                .map { row in
                    try EventJSON.event(tMs: row["t_ms"], node: row["node"], type: row["type"], detail: row["detail"])
                }
        }
    }

    /// The transfers of a call, oldest first.
    public func transfers(callID: String) async throws -> [TransferRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM transfers WHERE call_id = ? ORDER BY id", arguments: [callID])
                .map { row in
                    let json: String = row["context"]
                    return TransferRecord(callID: row["call_id"], queue: row["queue"], reason: row["reason"],
                                          priority: row["priority"],
                                          context: try JSONDecoder().decode(TransferContext.self, from: Data(json.utf8)),
                                          createdAt: row["created_at"])
                }
        }
    }

    /// What the agent gets for `callID` (the context key): the latest transfer's context.
    public func transferContext(callID: String) async throws -> TransferContext? {
        try await transfers(callID: callID).last?.context
    }

    static func callRecord(_ row: Row) -> CallRecord {
        CallRecord(id: row["id"], startedAt: row["started_at"], endedAt: row["ended_at"],
                   callerNumber: row["caller_number"], calledNumber: row["called_number"], language: row["language"],
                   menuVersion: row["menu_version"],
                   outcome: (row["outcome"] as String?).flatMap(RecordedOutcome.init(rawValue:)),
                   transferReason: row["transfer_reason"], endDetail: row["end_detail"])
    }
}
