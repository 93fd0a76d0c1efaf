public import Foundation
public import VoiceGateDialog
import GRDB

/// Reads for the console's funnel: every call of a time window with its events, folded into a
/// caller-supplied accumulator one call at a time, so a busy day's events never sit in memory
/// at once (the report keeps only counts).
extension CallStore {
    /// Folds the calls that started in `[from, before)` (oldest first), each with its events in
    /// order, into `initial` with `update`. At most `limit` calls are read; the second value
    /// tells whether the window held more (the report then covers the oldest `limit`).
    ///
    /// Runs on one reader connection against one committed snapshot, so the calls and their
    /// events agree even while the gateway writes.
    public func reduceCalls<Accumulator: Sendable>(
        startedFrom from: Date, startedBefore before: Date, limit: Int = 200_000, into initial: Accumulator,
        _ update: @escaping @Sendable (inout Accumulator, CallRecord, [TraceEvent]) -> Void
    ) async throws -> (result: Accumulator, truncated: Bool) {
        try await pool.read { db in
            var accumulator = initial
            let events = try db.cachedStatement(
                sql: "SELECT t_ms, node, type, detail FROM events WHERE call_id = ? ORDER BY id")
            let calls = try Row.fetchCursor(
                db, sql: "SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id LIMIT ?",
                arguments: [from, before, max(0, limit) + 1])
            var count = 0
            while let row = try calls.next() {
                count += 1
                if count > limit { return (accumulator, true) }
                let call = Self.callRecord(row)
                let trace = try Row.fetchAll(events, arguments: [call.id]).map { event in
                    try EventJSON.event(tMs: event["t_ms"], node: event["node"], type: event["type"], detail: event["detail"])
                }
                update(&accumulator, call, trace)
            }
            return (accumulator, false)
        }
    }
}
