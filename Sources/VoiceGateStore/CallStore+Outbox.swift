public import Foundation
public import VoiceGateDialog
import GRDB

/// One message of the `outbox` table: what the transfer webhook delivers.
public struct OutboxMessage: Sendable, Equatable {
    /// Row id: the delivery id (`X-VoiceGate-Delivery`), stable across retries.
    public var id: Int64
    /// The call it is about (nil for messages not tied to a call).
    public var callID: String?
    /// The event name (`transfer`).
    public var event: String
    /// The exact JSON body to send (signed as is).
    public var payload: String
    /// When it was written.
    public var createdAt: Date
    /// Attempts made so far.
    public var attempts: Int
    /// When it is due next.
    public var nextAttemptAt: Date
    /// When a receiver accepted it (2xx), if it did.
    public var deliveredAt: Date?
    /// When delivery was given up, if it was.
    public var abandonedAt: Date?
    /// Why the last attempt failed, if it did.
    public var lastError: String?
}

/// The webhook body of a transfer (snake_case keys, sorted; `context` as the context API returns it).
struct TransferWebhookBody: Encodable {
    var event = "transfer"
    var callID: String
    var queue: String
    var reason: String
    var priority: Int
    var transferredAt: String
    var context: TransferContext

    enum CodingKeys: String, CodingKey {
        case event, queue, reason, priority, context
        case callID = "call_id"
        case transferredAt = "transferred_at"
    }
}

/// The outbox: messages written in the same transaction as what they report (so a crash or a
/// receiver outage loses none), then delivered and marked by the gateway's delivery loop.
extension CallStore {
    /// Writes the transfer webhook message of a transfer (inside the transfer's transaction).
    static func enqueueTransfer(callID: String, queue: String, reason: String, priority: Int,
                                maskedContext: TransferContext, at: Date, _ db: Database) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let body = TransferWebhookBody(callID: callID, queue: queue, reason: reason, priority: priority,
                                       transferredAt: formatter.string(from: at), context: maskedContext)
        try db.execute(
            sql: "INSERT INTO outbox (call_id, event, payload, created_at, next_attempt_at) VALUES (?, 'transfer', ?, ?, ?)",
            arguments: [callID, try json(body), at, at])
    }

    /// Messages due at `now` (not delivered, not abandoned), oldest first.
    public func dueOutboxMessages(now: Date = Date(), limit: Int = 20) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= ?
                    ORDER BY id LIMIT ?
                    """,
                arguments: [now, max(0, limit)]).map(Self.outboxMessage)
        }
    }

    /// The newest `limit` messages, newest first (for tests and the console).
    public func outboxMessages(limit: Int = 100) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
                .map(Self.outboxMessage)
        }
    }

    /// A receiver accepted message `id`.
    public func markOutboxDelivered(id: Int64, at: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                           arguments: [at, id])
        }
    }

    /// An attempt at message `id` failed (`error`); try again at `retryAt`, or give up when nil.
    public func markOutboxFailed(id: Int64, error: String, retryAt: Date?, at: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                        next_attempt_at = coalesce(?, next_attempt_at),
                        abandoned_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END
                    WHERE id = ?
                    """,
                arguments: [String(error.prefix(500)), retryAt, retryAt, at, id])
        }
    }

    static func outboxMessage(_ row: Row) -> OutboxMessage {
        OutboxMessage(id: row["id"], callID: row["call_id"], event: row["event"], payload: row["payload"],
                      createdAt: row["created_at"], attempts: row["attempts"], nextAttemptAt: row["next_attempt_at"],
                      deliveredAt: row["delivered_at"], abandonedAt: row["abandoned_at"], lastError: row["last_error"])
    }
}
