import ArgumentParser
import Foundation
import Logging
import VoiceGateDialog
import VoiceGateServer
import VoiceGateStore

/// The admin side of `voicegate serve` (docs/admin.md): authentication over the records'
/// users and tokens, the context API, and the transfer webhook's delivery loop.
extension ServeCommand {
    /// `server` with authentication (every route but /health, /ready, /metrics, /login needs an
    /// identity), `GET /api/calls/{id}/context` and the admins' user and token pages. Without records nobody can sign in.
    func withAdminAccess(_ server: AdminHTTPServer, settings: ServerSettings, records: GatewayRecords?) -> AdminHTTPServer {
        var server = server
        var auth = AdminAuth(store: records?.store)
        auth.secureCookie = settings.httpSecureCookie
        server.authentication = auth
        if let store = records?.store {
            server.addRoutes { router in TransferContextRoute.install(on: router, store: store) }
            server.addRoutes { router in AdminUserRoutes.install(on: router, store: store) }  // users and tokens (admins)
        }
        return server
    }

    /// Starts the transfer webhook's delivery loop when a URL is configured (needs --db).
    func transferWebhook(_ settings: ServerSettings, records: GatewayRecords?, logger: Logger) throws -> Task<Void, Never>? {
        guard let text = settings.transferWebhookURL else { return nil }
        guard let records else { throw ValidationError("the transfer webhook needs the records database (--db)") }
        guard let url = URL(string: text), let secret = settings.transferWebhookSecret else {
            throw ValidationError("transfer webhook: bad URL '\(text)' or no secret")
        }
        var webhook = TransferWebhook.Settings(url: url, secret: secret)
        webhook.backoffBase = .milliseconds(max(1, transferWebhookBackoffMs))
        let deliverer = TransferWebhook(store: records.store, settings: webhook, logger: Logger(label: "voicegate.webhook"))
        logger.notice("transfer webhook: delivering to \(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")")
        return Task { await deliverer.run() }
    }

    /// Stops the delivery loop (before the records close); undelivered messages wait in the outbox.
    func stopWebhook(_ task: Task<Void, Never>?) async {
        task?.cancel()
        await task?.value
    }
}
