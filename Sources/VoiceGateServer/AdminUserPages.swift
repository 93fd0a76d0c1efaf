import Foundation
import Hummingbird
import VoiceGateStore

/// The console's user and token page (`/console/admin/users`): who may sign in, with which
/// role, and the API tokens with their last use — never a secret or a hash. Plain forms posting
/// back (no scripts); a new token is shown once, on the page answering its creation.
enum AdminUserPages {
    private static func e(_ text: String) -> String { ConsoleHTML.escape(text) }

    private static func time(_ date: Date?) -> String {
        date.map { ISO8601DateFormatter().string(from: $0) } ?? "—"
    }

    /// A `<select name="role">` with `selected` chosen.
    static func roleSelect(_ selected: String) -> String {
        "<select name=\"role\">" + CallStore.adminRoles.map {
            "<option\($0 == selected ? " selected" : "")>\($0)</option>"
        }.joined() + "</select>"
    }

    /// The list of users and tokens with the forms that change them.
    static func list(_ credentials: [AdminCredential], problem: String? = nil,
                     status: HTTPResponse.Status = .ok) -> Response {
        var users = ""
        var tokens = ""
        for credential in credentials {
            let name = e(credential.name)
            let base = "/console/admin/\(credential.kind == .user ? "users" : "tokens")/\(name)"
            let remove = """
                <form method="post" action="\(base)/remove"><button>Remove \(credential.kind.rawValue) \(name)</button></form>
                """
            switch credential.kind {
            case .user:
                users += """
                    <tr><td>\(name)</td><td><form method="post" action="\(base)/role">\(roleSelect(credential.role)) \
                    <button>Change role</button></form></td><td>\(time(credential.createdAt))</td><td>\(remove)</td></tr>
                    """
            case .token:
                tokens += """
                    <tr><td>\(name)</td><td>\(e(credential.role))</td><td>\(time(credential.createdAt))</td>\
                    <td>\(time(credential.lastUsedAt))</td><td>\(remove)</td></tr>
                    """
            }
        }
        let message = problem.map { "<p class=\"bad\" id=\"problem\">\(e($0))</p>" } ?? ""
        return ConsoleHTML.page(title: "Users and tokens", body: """
            \(message)
            <p>Viewers read; editors also publish prompts and menus; admins also manage users and tokens. \
            Every change is in the audit trail.</p>
            <h2>Users</h2>
            <table id="users"><tr><th>Name</th><th>Role</th><th>Created</th><th></th></tr>\(users)</table>
            <form method="post" action="/console/admin/users" id="add-user">
            <p>Name <input name="name" required pattern="[A-Za-z0-9._@\\-]{1,64}"> \(roleSelect("viewer"))
            Password <input name="password" type="password" minlength="8" autocomplete="new-password" required>
            <button>Add user</button></p>
            </form>
            <h2>API tokens</h2>
            <table id="tokens"><tr><th>Name</th><th>Role</th><th>Created</th><th>Last used</th><th></th></tr>\(tokens)</table>
            <form method="post" action="/console/admin/tokens" id="add-token">
            <p>Name <input name="name" required pattern="[A-Za-z0-9._@\\-]{1,64}"> \(roleSelect("viewer"))
            <button>Create token</button></p>
            </form>
            """, status: status)
    }

    /// The answer to a token's creation: the token, once (not cached; only its hash is kept).
    static func createdToken(name: String, role: String, token: String) -> Response {
        var response = ConsoleHTML.page(title: "Token created", body: """
            <p>API token <strong>\(e(name))</strong> (\(e(role))):</p>
            <p><code id="new-token">\(e(token))</code></p>
            <p class="bad">Copy it now: it is shown only this once (only its SHA-256 is kept).</p>
            <p>Use it as <code>Authorization: Bearer …</code>. <a href="/console/admin/users">Back to users and tokens</a></p>
            """, status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
