import Foundation
public import Hummingbird
import VoiceGateStore

/// Puts every admin route behind authentication (installed first by `AdminHTTPServer`, so
/// routes added with `addRoutes` are protected without code of their own): sets
/// `context.identity`, answers 401 without credentials (JSON under `/api`, an HTML page pointing
/// to `/login` elsewhere; never data) and 403 when the role is too low (`AdminAccessRule`),
/// refuses cross-site writes made with the session cookie, and writes every successful write
/// (POST/PUT/PATCH/DELETE) to the audit trail.
public struct AdminAuthMiddleware: RouterMiddleware {
    /// The admin side's context.
    public typealias Context = AdminRequestContext
    /// How requests are authenticated.
    public let auth: AdminAuth

    /// A middleware checking requests with `auth`.
    public init(_ auth: AdminAuth) {
        self.auth = auth
    }

    /// Authenticates, authorises, forwards, audits.
    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        let required = AdminAccessRule.requiredRole(method: request.method, path: path)
        // Monitoring stays cheap: no database look-up for the open routes except login/logout.
        guard required != nil || path == "/login" || path == "/logout" else { return try await next(request, context) }
        let found = await auth.identify(request)
        context.identity = found?.identity
        guard let required else { return try await next(request, context) }
        let isAPI = path.hasPrefix("/api")
        guard let found else { return Self.unauthorized(path: path, api: isAPI) }
        guard found.identity.role >= required else {
            return Self.refusal(.forbidden, "the \(required.rawValue) role is required", api: isAPI)
        }
        let isWrite = ![.get, .head, .options].contains(request.method)
        if isWrite, found.viaCookie, !Self.isSameOrigin(request) {
            return Self.refusal(.forbidden, "cross-site request refused (no same-origin Origin or Referer)", api: isAPI)
        }
        let response = try await next(request, context)
        if isWrite, (200..<400).contains(response.status.code), let store = auth.store {
            _ = try? await store.audit(AuditEntry(at: Date(), who: found.identity.name,
                                                  action: "\(request.method.rawValue) \(path)",
                                                  target: "\(response.status.code)",
                                                  source: context.remoteAddress ?? "unknown"))
        }
        return response
    }

    /// 401 without data: JSON with a Bearer challenge for the API (no Basic challenge, so
    /// browsers never cache Basic credentials that a cross-site form would then carry), a page
    /// with a link to the login form for the console.
    static func unauthorized(path: String, api: Bool) -> Response {
        if api {
            var response = AdminHTTPServer.json(.unauthorized, #"{"error":"authentication required"}"#)
            response.headers[.wwwAuthenticate] = #"Bearer realm="VoiceGate""#
            return response
        }
        let login = "/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-", "_", "."])) ?? "/")
        var response = ConsoleHTML.page(
            title: "Sign in required",
            body: #"<p>Please <a href="\#(ConsoleHTML.escape(login))">sign in</a>.</p>"#, status: .unauthorized)
        response.headers[.location] = login
        // Basic is accepted too: browsers and tools that hold a user and password answer the
        // challenge themselves (a headless browser, curl -u); people can cancel it and use the form.
        response.headers[.wwwAuthenticate] = #"Basic realm="VoiceGate console", charset="UTF-8""#
        return response
    }

    /// A refusal (403) as JSON for the API, a page for the console.
    static func refusal(_ status: HTTPResponse.Status, _ message: String, api: Bool) -> Response {
        if api { return AdminHTTPServer.json(status, #"{"error":"\#(message)"}"#) }
        return ConsoleHTML.page(title: "Not allowed", body: "<p>\(ConsoleHTML.escape(message))</p>", status: status)
    }

    /// Whether the request's `Origin` (else `Referer`) names this server (its `Host`). Browsers
    /// send `Origin` on every cross-site POST, so a forged form posted from another site fails.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        let origins = ["http://\(host)", "https://\(host)"]
        if let origin = request.headers[.origin] { return origins.contains(origin) }
        if let referer = request.headers[.referer] { return origins.contains { referer == $0 || referer.hasPrefix($0 + "/") } }
        return false
    }
}
