public import Foundation
import GRDB

/// Menu and prompt versions and the admin audit trail: insert and list only (what is current
/// is in CallStore+CurrentVersions.swift). Rows are immutable: the schema refuses UPDATE and
/// DELETE, so a published version stays exactly what calls ran.
extension CallStore {
    /// Stores `content` as a version of menu `name`, or returns the existing version with the
    /// same content (same SHA-256), so a gateway restarted on an unchanged menu adds nothing.
    public func registerMenuVersion(name: String, content: String, author: String, note: String? = nil,
                                    at: Date = Date()) async throws -> MenuVersion {
        try await pool.write { db in
            try Self.registerMenuVersion(name: name, content: content, author: author, note: note, at: at, db)
        }
    }

    /// `registerMenuVersion` inside a transaction the caller holds.
    static func registerMenuVersion(name: String, content: String, author: String, note: String?, at: Date,
                                    _ db: Database) throws -> MenuVersion {
        let hash = ContentHash.hex(Array(content.utf8))
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM menu_versions WHERE name = ? AND content_hash = ?",
                                      arguments: [name, hash]) {
            return menuVersion(row)
        }
        try db.execute(
            sql: """
                INSERT INTO menu_versions (name, content, content_hash, author, created_at, note)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [name, content, hash, author, at, note])
        // Read back: the stored date has millisecond precision.
        let row = try Row.fetchOne(db, sql: "SELECT * FROM menu_versions WHERE id = ?", arguments: [db.lastInsertedRowID])
        return menuVersion(row!)  // inserted just above, in this transaction
    }

    /// Versions of menu `name` (every menu when nil), newest first.
    public func menuVersions(name: String? = nil) async throws -> [MenuVersion] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM menu_versions WHERE ? IS NULL OR name = ? ORDER BY id DESC",
                             arguments: [name, name]).map(Self.menuVersion)
        }
    }

    /// Stores a version of prompt `name` in `language`, or returns the existing one with the same content.
    public func registerPromptVersion(name: String, language: String, content: [UInt8], mediaType: String,
                                      author: String, note: String? = nil, at: Date = Date()) async throws -> PromptVersion {
        try await pool.write { db in
            try Self.registerPromptVersion(name: name, language: language, content: content, mediaType: mediaType,
                                           author: author, note: note, at: at, db)
        }
    }

    /// `registerPromptVersion` inside a transaction the caller holds.
    static func registerPromptVersion(name: String, language: String, content: [UInt8], mediaType: String,
                                      author: String, note: String?, at: Date, _ db: Database) throws -> PromptVersion {
        let hash = ContentHash.hex(content)
        if let row = try Row.fetchOne(
            db, sql: "SELECT * FROM prompt_versions WHERE name = ? AND language = ? AND content_hash = ?",
            arguments: [name, language, hash]) {
            return promptVersion(row)
        }
        try db.execute(
            sql: """
                INSERT INTO prompt_versions (name, language, content, media_type, content_hash, author, created_at, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [name, language, Data(content), mediaType, hash, author, at, note])
        let row = try Row.fetchOne(db, sql: "SELECT * FROM prompt_versions WHERE id = ?", arguments: [db.lastInsertedRowID])
        return promptVersion(row!)  // inserted just above, in this transaction
    }

    /// Versions of prompt `name` (every prompt when nil), newest first.
    public func promptVersions(name: String? = nil) async throws -> [PromptVersion] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM prompt_versions WHERE ? IS NULL OR name = ? ORDER BY id DESC",
                             arguments: [name, name]).map(Self.promptVersion)
        }
    }

    /// Appends `entry` to the audit trail; returns it with its id.
    @discardableResult
    public func audit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await pool.write { db in try Self.insertAudit(entry, db) }
    }

    /// Appends `entry` inside a transaction the caller holds; returns it with its id.
    @discardableResult
    static func insertAudit(_ entry: AuditEntry, _ db: Database) throws -> AuditEntry {
        try db.execute(sql: "INSERT INTO admin_audit (at, who, action, target, source) VALUES (?, ?, ?, ?, ?)",
                       arguments: [entry.at, entry.who, entry.action, entry.target, entry.source])
        let row = try Row.fetchOne(db, sql: "SELECT * FROM admin_audit WHERE id = ?", arguments: [db.lastInsertedRowID])
        return auditEntry(row!)  // inserted just above, in this transaction
    }

    /// The newest `limit` audit entries, newest first.
    public func auditTrail(limit: Int = 100) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM admin_audit ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
                .map(Self.auditEntry)
        }
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        var entry = AuditEntry(at: row["at"], who: row["who"], action: row["action"], target: row["target"],
                               source: row["source"])
        entry.id = row["id"]
        return entry
    }

    static func menuVersion(_ row: Row) -> MenuVersion {
        MenuVersion(id: row["id"], name: row["name"], content: row["content"], contentHash: row["content_hash"],
                    author: row["author"], createdAt: row["created_at"], note: row["note"])
    }

    static func promptVersion(_ row: Row) -> PromptVersion {
        let content: Data = row["content"]
        return PromptVersion(id: row["id"], name: row["name"], language: row["language"], content: Array(content),
                             mediaType: row["media_type"], contentHash: row["content_hash"], author: row["author"],
                             createdAt: row["created_at"], note: row["note"])
    }
}
