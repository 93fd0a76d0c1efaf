public import Foundation
import GRDB

/// How long records are kept. Defaults (docs/records.md): per-step events 30 days — they
/// are for debugging and tuning the menu, hold the most behavioural detail and are the bulk
/// of the file; call rows and transfer contexts 400 days — a year of outcome statistics plus
/// a month, so a call can be compared with the same month last year and a complaint about a
/// call within the year can still be checked.
public struct RetentionPolicy: Sendable, Equatable {
    /// Events of calls that started more than this many days ago are deleted.
    public var eventDays: Int
    /// Calls (with their events and transfers) that started more than this many days ago are deleted.
    public var callDays: Int

    /// A policy; defaults 30 days of events, 400 days of calls.
    public init(eventDays: Int = 30, callDays: Int = 400) {
        self.eventDays = eventDays
        self.callDays = callDays
    }
}

/// What one purge removed.
public struct PurgeReport: Sendable, Equatable {
    /// Event rows deleted.
    public var events: Int
    /// Call rows deleted (their transfers went with them).
    public var calls: Int

    /// A report; see the properties.
    public init(events: Int, calls: Int) {
        self.events = events
        self.calls = calls
    }
}

extension CallStore {
    /// Deletes what `policy` no longer keeps, as of `now`, in one transaction. Calls still
    /// running are never deleted, whatever their age.
    @discardableResult
    public func purge(now: Date = Date(), policy: RetentionPolicy = RetentionPolicy()) async throws -> PurgeReport {
        let day: TimeInterval = 86_400
        let eventCutoff = now.addingTimeInterval(-Double(policy.eventDays) * day)
        let callCutoff = now.addingTimeInterval(-Double(policy.callDays) * day)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM events WHERE call_id IN
                        (SELECT id FROM calls WHERE started_at < ? AND ended_at IS NOT NULL)
                    """,
                arguments: [eventCutoff])
            let events = db.changesCount
            // Events and transfers of these calls go by ON DELETE CASCADE.
            try db.execute(sql: "DELETE FROM calls WHERE started_at < ? AND ended_at IS NOT NULL", arguments: [callCutoff])
            return PurgeReport(events: events, calls: db.changesCount)
        }
    }

    /// Purges now and then every `interval` until the task is cancelled (the gateway runs
    /// this hourly). Failures are reported and retried at the next round.
    public func runRetention(policy: RetentionPolicy, every interval: Duration = .seconds(3600),
                             report: @Sendable (Result<PurgeReport, any Error>) -> Void) async {
        while !Task.isCancelled {
            do {
                report(.success(try await purge(now: Date(), policy: policy)))
            } catch {
                report(.failure(error))
            }
            try? await Task.sleep(for: interval)
        }
    }
}
