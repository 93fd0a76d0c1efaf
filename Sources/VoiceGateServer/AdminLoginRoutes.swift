import Foundation
public import Hummingbird
import VoiceGateStore

/// The browser sign-in: `GET /login` (the form), `POST /login` (user and password → the
/// `vg_session` cookie, HttpOnly, SameSite=Strict), `POST /logout`. Sign-ins, sign-outs and
/// failed attempts go to the audit trail.
public enum AdminLoginRoutes {
    /// Adds the three routes to `router`.
    public static func install(on router: Router<AdminRequestContext>, auth: AdminAuth) {
        router.get("/login") { request, _ in
            form(next: safeNext(request.uri.queryParameters["next"].map(String.init)), problem: nil, status: .ok)
        }
        router.post("/login") { request, context in
            var request = request
            if request.headers[.origin] != nil, !AdminAuthMiddleware.isSameOrigin(request) {
                return AdminAuthMiddleware.refusal(.forbidden, "cross-site sign-in refused", api: false)
            }
            let fields = FormFields.parse(String(buffer: try await request.collectBody(upTo: 16_384)))
            let name = String((fields["name"] ?? "").prefix(64))
            let next = safeNext(fields["next"])
            let source = context.remoteAddress ?? "unknown"
            guard let store = auth.store,
                  let principal = try await store.verifyPassword(name: name, password: fields["password"] ?? "") else {
                _ = try? await auth.store?.audit(AuditEntry(at: Date(), who: name.isEmpty ? "anonymous" : name,
                                                            action: "login.failed", source: source))
                return form(next: next, problem: "Wrong name or password.", status: .unauthorized)
            }
            let session = try await store.createSession(userName: principal.name, lifetime: auth.sessionLifetime)
            _ = try? await store.audit(AuditEntry(at: Date(), who: principal.name, action: "login", source: source))
            var response = Response(status: .seeOther, headers: [.location: next])
            response.headers[.setCookie] = cookie(value: session, maxAge: Int(auth.sessionLifetime), secure: auth.secureCookie)
            return response
        }
        router.post("/logout") { request, context in
            if request.headers[.origin] != nil, !AdminAuthMiddleware.isSameOrigin(request) {
                return AdminAuthMiddleware.refusal(.forbidden, "cross-site sign-out refused", api: false)
            }
            if let session = request.cookies[AdminAuth.cookieName]?.value, !session.isEmpty, let store = auth.store {
                try await store.endSession(session)
                if let identity = context.identity {
                    _ = try? await store.audit(AuditEntry(at: Date(), who: identity.name, action: "logout",
                                                          source: context.remoteAddress ?? "unknown"))
                }
            }
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.headers[.setCookie] = cookie(value: "", maxAge: 0, secure: auth.secureCookie)
            return response
        }
    }

    /// The session cookie's `Set-Cookie` value.
    static func cookie(value: String, maxAge: Int, secure: Bool) -> String {
        "\(AdminAuth.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Where to go after signing in: a local path only (never `//host` or a URL), else the calls page.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            return "/console/calls"
        }
        return next
    }

    static func form(next: String, problem: String?, status: HTTPResponse.Status) -> Response {
        let message = problem.map { #"<p class="bad">\#(ConsoleHTML.escape($0))</p>"# } ?? ""
        return ConsoleHTML.page(title: "Sign in", body: """
            \(message)
            <form method="post" action="/login">
            <input type="hidden" name="next" value="\(ConsoleHTML.escape(next))">
            <p><label>Name <input name="name" autocomplete="username" required autofocus></label></p>
            <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """, status: status)
    }
}

/// `application/x-www-form-urlencoded` fields (the last value of a repeated name wins).
enum FormFields {
    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
