import Foundation
public import Hummingbird
public import VoiceGateStore

/// User and token management for admins (docs/admin.md): the console page
/// `/console/admin/users` with its forms, and the JSON twins under `/api/admin/`. The admin role
/// is required by `AdminAccessRule` for both prefixes (and checked again here); cookie writes
/// pass the middleware's same-origin check. Changes go through the same audited `CallStore`
/// functions as `voicegate admin` (who: the signed-in admin; source: the client address).
public enum AdminUserRoutes {
    /// Adds the routes to `router`.
    public static func install(on router: Router<AdminRequestContext>, store: CallStore) {
        router.get("/console/admin/users") { _, context in
            try AdminAuth.require(.admin, context)
            return AdminUserPages.list(try await store.adminCredentials())
        }
        router.get("/api/admin/users") { _, context in
            try AdminAuth.require(.admin, context)
            let formatter = ISO8601DateFormatter()
            var users: [[String: Any]] = []
            var tokens: [[String: Any]] = []
            for credential in try await store.adminCredentials() {
                var item: [String: Any] = ["name": credential.name, "role": credential.role,
                                           "created_at": formatter.string(from: credential.createdAt)]
                if credential.kind == .user {
                    users.append(item)
                } else {
                    item["last_used_at"] = credential.lastUsedAt.map { formatter.string(from: $0) } ?? NSNull()
                    tokens.append(item)
                }
            }
            return AdminHTTPServer.json(.ok, VersionRoutes.json(["users": users, "tokens": tokens]))
        }
        for (prefix, api) in [("/console", false), ("/api", true)] {
            router.post("\(prefix)/admin/users") { request, context in
                let who = try AdminAuth.require(.admin, context)
                let fields = try await RequestFields.read(request)
                let name = fields["name"] ?? "", role = fields["role"] ?? "viewer"
                return try await change(api: api, store: store, success: .created, json: ["name": name, "role": role]) {
                    try await store.addUser(name: name, role: role, password: fields["password"] ?? "",
                                            by: who.name, from: source(context))
                }
            }
            router.post("\(prefix)/admin/tokens") { request, context in
                let who = try AdminAuth.require(.admin, context)
                let fields = try await RequestFields.read(request)
                let name = fields["name"] ?? "", role = fields["role"] ?? "viewer"
                let token: String
                do {
                    token = try await store.addToken(name: name, role: role, by: who.name, from: source(context))
                } catch {
                    return try await failure(error, api: api, store: store)
                }
                if api { return AdminHTTPServer.json(.created, VersionRoutes.json(["name": name, "role": role, "token": token])) }
                return AdminUserPages.createdToken(name: name, role: role, token: token)
            }
            for (kind, plural) in [(AdminPrincipal.Kind.user, "users"), (.token, "tokens")] {
                router.post("\(prefix)/admin/\(plural)/:name/role") { request, context in
                    let who = try AdminAuth.require(.admin, context)
                    let name = try context.parameters.require("name")
                    let role = try await RequestFields.read(request)["role"] ?? ""
                    return try await change(api: api, store: store, success: .ok, json: ["name": name, "role": role]) {
                        if kind == .user, role != "admin" { try await keepAnAdmin(besides: name, store: store) }
                        guard try await store.setRole(kind: kind, name: name, role: role, by: who.name, from: source(context)) else {
                            throw NotFound(what: "no \(kind.rawValue) named '\(name)'")
                        }
                    }
                }
                let remove: @Sendable (Request, AdminRequestContext) async throws -> Response = { _, context in
                    let who = try AdminAuth.require(.admin, context)
                    let name = try context.parameters.require("name")
                    return try await change(api: api, store: store, success: .ok, json: ["name": name, "removed": true]) {
                        if kind == .user { try await keepAnAdmin(besides: name, store: store) }
                        guard try await store.removeCredential(kind: kind, name: name, by: who.name, from: source(context)) else {
                            throw NotFound(what: "no \(kind.rawValue) named '\(name)'")
                        }
                    }
                }
                router.post("\(prefix)/admin/\(plural)/:name/remove", use: remove)
                if api { router.delete("/api/admin/\(plural)/:name", use: remove) }
            }
        }
    }

    /// The client address (the audit trail's "from where").
    static func source(_ context: AdminRequestContext) -> String { context.remoteAddress ?? "unknown" }

    /// No such user or token (404).
    struct NotFound: Error { var what: String }
    /// The change would leave no admin user (409): nobody could manage users from the console.
    struct LastAdmin: Error {}

    /// Throws `LastAdmin` when `name` is the only admin user.
    static func keepAnAdmin(besides name: String, store: CallStore) async throws {
        let admins = try await store.adminCredentials().filter { $0.kind == .user && $0.role == "admin" }
        if admins.map(\.name) == [name] { throw LastAdmin() }
    }

    /// Runs `work`; answers JSON (`success` with `json`) or a redirect to the console page, or the failure.
    static func change(api: Bool, store: CallStore, success: HTTPResponse.Status, json: [String: Any],
                       _ work: () async throws -> Void) async throws -> Response {
        do {
            try await work()
        } catch {
            return try await failure(error, api: api, store: store)
        }
        return api ? AdminHTTPServer.json(success, VersionRoutes.json(json))
            : Response(status: .seeOther, headers: [.location: "/console/admin/users"])
    }

    /// 400 (bad name, role or password), 404, 409 (name taken, last admin): JSON, or the page with the problem.
    static func failure(_ error: any Error, api: Bool, store: CallStore) async throws -> Response {
        let status: HTTPResponse.Status
        let message: String
        switch error {
        case AdminCredentialError.nameTaken(let name): (status, message) = (.conflict, "'\(name)' exists already")
        case let credential as AdminCredentialError: (status, message) = (.badRequest, credential.description)
        case let missing as NotFound: (status, message) = (.notFound, missing.what)
        case is LastAdmin: (status, message) = (.conflict, "the last admin user cannot be removed or lose the admin role")
        default: throw error
        }
        if api { return AdminHTTPServer.json(status, VersionRoutes.json(["error": message])) }
        return AdminUserPages.list(try await store.adminCredentials(), problem: message, status: status)
    }
}
