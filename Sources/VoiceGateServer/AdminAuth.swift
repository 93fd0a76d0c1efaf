public import Foundation
import Hummingbird
public import VoiceGateStore

/// Authentication of the admin HTTP side (docs/admin.md): who a request is from (a Bearer API
/// token, Basic user:password, or the login form's `vg_session` cookie), checked against the
/// records database's hashed credentials, and the one role check every route uses.
public struct AdminAuth: Sendable {
    /// Where users, tokens and sessions live; nil (no `--db`): nobody can sign in, so every
    /// protected route answers 401.
    public let store: CallStore?
    /// How long a login session lasts.
    public var sessionLifetime: TimeInterval = 12 * 3600
    /// Whether the session cookie gets `Secure` (set when the console is served over HTTPS,
    /// e.g. behind a TLS proxy; a `Secure` cookie is not sent over plain HTTP).
    public var secureCookie = false

    /// The session cookie's name.
    public static let cookieName = "vg_session"

    /// Authentication against `store`.
    public init(store: CallStore?) {
        self.store = store
    }

    /// The identity the request proves, or nil: `Authorization: Bearer` (token), `Authorization:
    /// Basic` (user and password), else the session cookie. Wrong credentials give nil, never an error.
    func identify(_ request: Request) async -> (identity: AdminIdentity, viaCookie: Bool)? {
        guard let store else { return nil }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let principal: AdminPrincipal?
            switch parts[0].lowercased() {
            case "bearer":
                principal = try? await store.principal(forToken: parts[1].trimmingCharacters(in: .whitespaces))
            case "basic":
                guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                      let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
                principal = try? await store.verifyPassword(name: String(text[..<colon]),
                                                            password: String(text[text.index(after: colon)...]))
            default:
                principal = nil
            }
            return principal.flatMap(Self.identity).map { ($0, false) }
        }
        if let session = request.cookies[Self.cookieName]?.value, !session.isEmpty,
           let principal = try? await store.principal(forSession: session) {
            return Self.identity(principal).map { ($0, true) }
        }
        return nil
    }

    static func identity(_ principal: AdminPrincipal) -> AdminIdentity? {
        AdminIdentity.Role(rawValue: principal.role).map { AdminIdentity(name: principal.name, role: $0) }
    }

    /// The caller's identity when it has at least `role`; throws `HTTPError` 401 when the request
    /// is not authenticated, 403 when its role is too low. The one check routes call for a
    /// stricter role than the middleware's method rule (GET viewer, writes editor).
    @discardableResult
    public static func require(_ role: AdminIdentity.Role, _ context: AdminRequestContext) throws -> AdminIdentity {
        guard let identity = context.identity else {
            throw HTTPError(.unauthorized, message: "authentication required")
        }
        guard identity.role >= role else {
            throw HTTPError(.forbidden, message: "the \(role.rawValue) role is required")
        }
        return identity
    }
}
