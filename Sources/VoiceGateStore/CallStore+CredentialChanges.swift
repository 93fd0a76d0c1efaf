public import Foundation
import GRDB

/// User and token changes with their audit entry (`user.add`, `token.add`, `user.role`,
/// `token.role`, `user.remove`, `token.remove`): the one place both `voicegate admin` (who
/// `cli`) and the console's admin pages (the signed-in admin, from the client address) change
/// credentials, so the two never drift apart.
extension CallStore {
    /// Changes the role of a user (effective at their next request, sessions included) or a
    /// token; returns whether it exists.
    @discardableResult
    public func setRole(kind: AdminPrincipal.Kind, name: String, role: String) async throws -> Bool {
        guard Self.adminRoles.contains(role) else { throw AdminCredentialError.unknownRole(role) }
        return try await pool.write { db in
            try db.execute(sql: "UPDATE \(kind == .user ? "admin_users" : "api_tokens") SET role = ? WHERE name = ?",
                           arguments: [role, name])
            return db.changesCount > 0
        }
    }

    /// `addUser`, audited as done by `who` from `source`.
    public func addUser(name: String, role: String, password: String, iterations: Int = CallStore.defaultPasswordIterations,
                        by who: String, from source: String) async throws {
        try await addUser(name: name, role: role, password: password, iterations: iterations)
        try await audit(AuditEntry(at: Date(), who: who, action: "user.add", target: "\(name) (\(role))", source: source))
    }

    /// `addToken`, audited as done by `who` from `source`; returns the token (shown once).
    public func addToken(name: String, role: String, by who: String, from source: String) async throws -> String {
        let token = try await addToken(name: name, role: role)
        try await audit(AuditEntry(at: Date(), who: who, action: "token.add", target: "\(name) (\(role))", source: source))
        return token
    }

    /// `setRole`, audited when it changed something; returns whether the credential exists.
    @discardableResult
    public func setRole(kind: AdminPrincipal.Kind, name: String, role: String, by who: String,
                        from source: String) async throws -> Bool {
        guard try await setRole(kind: kind, name: name, role: role) else { return false }
        try await audit(AuditEntry(at: Date(), who: who, action: "\(kind.rawValue).role", target: "\(name) (\(role))", source: source))
        return true
    }

    /// `removeCredential`, audited when it removed something; returns whether it existed.
    @discardableResult
    public func removeCredential(kind: AdminPrincipal.Kind, name: String, by who: String,
                                 from source: String) async throws -> Bool {
        guard try await removeCredential(kind: kind, name: name) else { return false }
        try await audit(AuditEntry(at: Date(), who: who, action: "\(kind.rawValue).remove", target: name, source: source))
        return true
    }
}
