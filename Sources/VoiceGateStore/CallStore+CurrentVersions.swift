public import Foundation
import GRDB

/// The "current" pointers (`current_prompts`, `current_menu`, migration `v4-current-versions`):
/// what new calls get, kept so `voicegate serve` resumes published versions and the canary after
/// a restart. Every change writes its pointer in the same transaction as its audit row (and, for
/// a publish, its version row), so the trail, the versions and the pointers never disagree.
extension CallStore {
    /// Every prompt pointer, by name and language.
    public func currentPrompts() async throws -> [CurrentPrompt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM current_prompts ORDER BY name, language").map {
                CurrentPrompt(name: $0["name"], language: $0["language"], version: $0["version"], fileVersion: $0["file_version"])
            }
        }
    }

    /// The menu pointer, nil before the first start that recorded one.
    public func currentMenu() async throws -> CurrentMenu? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM current_menu WHERE id = 1").map {
                CurrentMenu(version: $0["version"], canaryVersion: $0["canary_version"],
                            canaryPercent: $0["canary_percent"], fileVersion: $0["file_version"])
            }
        }
    }

    /// Sets `prompts` and `menu` (when given) and appends `audit`, in one transaction. A nil
    /// `fileVersion` keeps the stored one.
    public func setCurrent(prompts: [CurrentPrompt] = [], menu: CurrentMenu? = nil, audit: [AuditEntry] = [],
                           at: Date = Date()) async throws {
        try await pool.write { db in
            for prompt in prompts { try Self.upsert(prompt, at: at, db) }
            if let menu { try Self.upsert(menu, at: at, db) }
            for entry in audit { try Self.insertAudit(entry, db) }
        }
    }

    /// Stores `content` as a version of prompt `name` in `language` (or finds the one with the
    /// same content), makes it current and appends `audit(version)`, in one transaction.
    public func publishPromptVersion(name: String, language: String, content: [UInt8], mediaType: String,
                                     author: String, note: String?, at: Date = Date(),
                                     audit: @escaping @Sendable (PromptVersion) -> AuditEntry) async throws -> PromptVersion {
        try await pool.write { db in
            let version = try Self.registerPromptVersion(name: name, language: language, content: content,
                                                         mediaType: mediaType, author: author, note: note, at: at, db)
            try Self.upsert(CurrentPrompt(name: name, language: language, version: version.id), at: at, db)
            try Self.insertAudit(audit(version), db)
            return version
        }
    }

    /// Stores `content` as a version of menu `name` (or finds it), sets the menu pointer to
    /// `pointer(version)` and appends `audit(version)`, in one transaction.
    public func publishMenuVersion(name: String, content: String, author: String, note: String?, at: Date = Date(),
                                   pointer: @escaping @Sendable (MenuVersion) -> CurrentMenu,
                                   audit: @escaping @Sendable (MenuVersion) -> AuditEntry) async throws -> MenuVersion {
        try await pool.write { db in
            let version = try Self.registerMenuVersion(name: name, content: content, author: author, note: note, at: at, db)
            try Self.upsert(pointer(version), at: at, db)
            try Self.insertAudit(audit(version), db)
            return version
        }
    }

    static func upsert(_ prompt: CurrentPrompt, at: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO current_prompts (name, language, version, file_version, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name, language) DO UPDATE SET version = excluded.version,
                    file_version = coalesce(excluded.file_version, file_version), updated_at = excluded.updated_at
                """,
            arguments: [prompt.name, prompt.language, prompt.version, prompt.fileVersion, at])
    }

    static func upsert(_ menu: CurrentMenu, at: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO current_menu (id, version, canary_version, canary_percent, file_version, updated_at)
                VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, canary_version = excluded.canary_version,
                    canary_percent = excluded.canary_percent,
                    file_version = coalesce(excluded.file_version, file_version), updated_at = excluded.updated_at
                """,
            arguments: [menu.version, menu.canaryVersion, menu.canaryVersion == nil ? 0 : menu.canaryPercent,
                        menu.fileVersion, at])
    }
}

extension CallStore {
    /// The prompt version with row id `id`, if any.
    public func promptVersion(id: Int64) async throws -> PromptVersion? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM prompt_versions WHERE id = ?", arguments: [id]).map(Self.promptVersion)
        }
    }

    /// The menu version with row id `id`, if any.
    public func menuVersion(id: Int64) async throws -> MenuVersion? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM menu_versions WHERE id = ?", arguments: [id]).map(Self.menuVersion)
        }
    }
}
