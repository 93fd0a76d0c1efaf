public import Foundation

/// Someone the console and API know: a user (name and password) or an API token, with the role
/// the server maps to its permissions (`viewer`, `editor`, `admin`).
public struct AdminPrincipal: Sendable, Equatable {
    /// How the principal signed in.
    public enum Kind: String, Sendable, Equatable {
        /// A user of `admin_users` (Basic or the login form's session cookie).
        case user
        /// A token of `api_tokens` (Bearer).
        case token
    }

    /// The user or token name (unique within its kind; the audit trail's "who").
    public var name: String
    /// `viewer`, `editor` or `admin`.
    public var role: String
    /// User or token.
    public var kind: Kind

    /// A principal; see the properties.
    public init(name: String, role: String, kind: Kind) {
        self.name = name
        self.role = role
        self.kind = kind
    }
}

/// One row of `voicegate admin list`: a user or token without any secret.
public struct AdminCredential: Sendable, Equatable {
    /// User or token.
    public var kind: AdminPrincipal.Kind
    /// Its name.
    public var name: String
    /// Its role.
    public var role: String
    /// When it was created.
    public var createdAt: Date
    /// When a token was last used (to the minute), nil for users and unused tokens.
    public var lastUsedAt: Date?
}

/// A credential operation that cannot be done.
public enum AdminCredentialError: Error, Equatable, CustomStringConvertible {
    /// The role is not `viewer`, `editor` or `admin`.
    case unknownRole(String)
    /// A user or token with this name exists already.
    case nameTaken(String)
    /// Names are 1–64 characters of letters, digits, `.`, `_`, `-`, `@`.
    case badName(String)
    /// Passwords have at least 8 characters.
    case passwordTooShort

    /// One line for the operator.
    public var description: String {
        switch self {
        case .unknownRole(let role): "unknown role '\(role)' (viewer, editor or admin)"
        case .nameTaken(let name): "'\(name)' exists already"
        case .badName(let name): "bad name '\(name)' (1-64 of letters, digits, '.', '_', '-', '@')"
        case .passwordTooShort: "the password must have at least 8 characters"
        }
    }
}
