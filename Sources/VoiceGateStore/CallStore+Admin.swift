public import Foundation
import GRDB

/// Users, API tokens and browser sessions of the console and API (`admin_users`, `api_tokens`,
/// `sessions`; docs/admin.md). No secret is stored: passwords as PBKDF2-HMAC-SHA-256 with a
/// per-user salt and round count, tokens and session ids as their SHA-256 (they are 256-bit
/// random strings, so a fast hash suffices and every request can afford it).
extension CallStore {
    /// Rounds for new passwords: OWASP's 2023 figure for PBKDF2-HMAC-SHA-256 (about 0.1 s here).
    public static let defaultPasswordIterations = 210_000
    /// The roles, lowest first.
    public static let adminRoles = ["viewer", "editor", "admin"]

    /// Adds a user with `role` and a password (at least 8 characters), hashed with a fresh salt.
    public func addUser(name: String, role: String, password: String,
                        iterations: Int = CallStore.defaultPasswordIterations, at: Date = Date()) async throws {
        try Self.checkNew(name: name, role: role)
        guard password.count >= 8 else { throw AdminCredentialError.passwordTooShort }
        let salt = PBKDF2.makeSalt()
        let hash = try PBKDF2.derive(password: Array(password.utf8), salt: salt, iterations: iterations, byteCount: 32)
        try await pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM admin_users WHERE name = ?", arguments: [name]) == 0 else {
                throw AdminCredentialError.nameTaken(name)
            }
            try db.execute(
                sql: "INSERT INTO admin_users (name, role, password_hash, salt, iterations, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [name, role, Data(hash), Data(salt), iterations, at])
        }
    }

    /// The user when `password` is theirs, else nil (unknown users cost the same time, so timing
    /// does not tell which names exist).
    public func verifyPassword(name: String, password: String) async throws -> AdminPrincipal? {
        let row: (role: String, hash: [UInt8], salt: [UInt8], iterations: Int)? = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT role, password_hash, salt, iterations FROM admin_users WHERE name = ?",
                             arguments: [name]).map { row in
                let hash: Data = row["password_hash"]
                let salt: Data = row["salt"]
                return (row["role"], Array(hash), Array(salt), row["iterations"])
            }
        }
        guard let row else {
            _ = try PBKDF2.derive(password: Array(password.utf8), salt: PBKDF2.makeSalt(),
                                  iterations: Self.defaultPasswordIterations, byteCount: 32)
            return nil
        }
        let hash = try PBKDF2.derive(password: Array(password.utf8), salt: row.salt, iterations: row.iterations, byteCount: 32)
        return PBKDF2.constantTimeEqual(hash, row.hash) ? AdminPrincipal(name: name, role: row.role, kind: .user) : nil
    }

    /// Adds an API token with `role`; returns the token, which is not stored and cannot be shown again.
    public func addToken(name: String, role: String, at: Date = Date()) async throws -> String {
        try Self.checkNew(name: name, role: role)
        let token = "vgt_" + Self.base64URL(PBKDF2.randomBytes(32))
        let hash = ContentHash.hex(Array(token.utf8))
        try await pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM api_tokens WHERE name = ?", arguments: [name]) == 0 else {
                throw AdminCredentialError.nameTaken(name)
            }
            try db.execute(sql: "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, role, hash, at])
        }
        return token
    }

    /// The token's principal, or nil; notes the use in `last_used_at` (at most once a minute).
    public func principal(forToken token: String, at: Date = Date()) async throws -> AdminPrincipal? {
        let hash = ContentHash.hex(Array(token.utf8))
        let found: (name: String, role: String, lastUsed: Date?)? = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT name, role, last_used_at FROM api_tokens WHERE token_hash = ?",
                             arguments: [hash]).map { ($0["name"], $0["role"], $0["last_used_at"]) }
        }
        guard let found else { return nil }
        if found.lastUsed.map({ at.timeIntervalSince($0) >= 60 }) ?? true {
            try await pool.write { db in
                try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?", arguments: [at, hash])
            }
        }
        return AdminPrincipal(name: found.name, role: found.role, kind: .token)
    }

    /// Removes a user (and their sessions) or a token; returns whether it existed.
    @discardableResult
    public func removeCredential(kind: AdminPrincipal.Kind, name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM \(kind == .user ? "admin_users" : "api_tokens") WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Starts a browser session for the user `name`, valid for `lifetime`; returns the session
    /// id for the cookie (only its hash is stored). Also removes expired sessions.
    public func createSession(userName name: String, lifetime: TimeInterval, at: Date = Date()) async throws -> String {
        let id = Self.base64URL(PBKDF2.randomBytes(32))
        let hash = ContentHash.hex(Array(id.utf8))
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [at])
            try db.execute(
                sql: """
                    INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
                    SELECT ?, id, ?, ? FROM admin_users WHERE name = ?
                    """,
                arguments: [hash, at, at.addingTimeInterval(lifetime), name])
        }
        return id
    }

    /// The user of a session that has not expired, or nil.
    public func principal(forSession id: String, at: Date = Date()) async throws -> AdminPrincipal? {
        let hash = ContentHash.hex(Array(id.utf8))
        return try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT u.name, u.role FROM sessions s JOIN admin_users u ON u.id = s.user_id
                    WHERE s.id_hash = ? AND s.expires_at > ?
                    """,
                arguments: [hash, at]).map { AdminPrincipal(name: $0["name"], role: $0["role"], kind: .user) }
        }
    }

    /// Ends a session (logout); unknown ids are ignored.
    public func endSession(_ id: String) async throws {
        let hash = ContentHash.hex(Array(id.utf8))
        try await pool.write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [hash]) }
    }

    /// Every user and token, users first, by name; no secrets.
    public func adminCredentials() async throws -> [AdminCredential] {
        try await pool.read { db in
            let users = try Row.fetchAll(db, sql: "SELECT name, role, created_at FROM admin_users ORDER BY name").map {
                AdminCredential(kind: .user, name: $0["name"], role: $0["role"], createdAt: $0["created_at"], lastUsedAt: nil)
            }
            let tokens = try Row.fetchAll(db, sql: "SELECT name, role, created_at, last_used_at FROM api_tokens ORDER BY name").map {
                AdminCredential(kind: .token, name: $0["name"], role: $0["role"], createdAt: $0["created_at"],
                                lastUsedAt: $0["last_used_at"])
            }
            return users + tokens
        }
    }

    static func checkNew(name: String, role: String) throws {
        guard adminRoles.contains(role) else { throw AdminCredentialError.unknownRole(role) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw AdminCredentialError.badName(name)
        }
    }

    /// URL- and cookie-safe base64 without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
