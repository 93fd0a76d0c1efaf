public import Foundation
public import Logging
public import VoiceGateStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Delivers the outbox's messages (each transfer's context, written with the transfer) to the
/// configured webhook: POST of the stored JSON with `X-VoiceGate-Signature: sha256=<HMAC>`,
/// `X-VoiceGate-Event` and `X-VoiceGate-Delivery` (the message id, the same on every retry, so
/// the receiver can drop duplicates). A failure (no answer, timeout, non-2xx) is retried after
/// `backoffBase` × 2ⁿ (1 s, 2 s, 4 s … capped at `backoffCap`, 5 min) until the message is
/// `maxAge` old (3 days), then given up and logged. Delivery is at least once, in id order
/// within each pass; a CRM outage only delays messages, as they wait in SQLite.
public final class TransferWebhook: Sendable {
    /// Where and how to deliver.
    public struct Settings: Sendable {
        /// The receiver (http or https).
        public var url: URL
        /// The HMAC key shared with the receiver.
        public var secret: String
        /// First retry delay; doubled per failed attempt.
        public var backoffBase: Duration = .seconds(1)
        /// Longest retry delay.
        public var backoffCap: Duration = .seconds(300)
        /// Age after which an undelivered message is given up.
        public var maxAge: TimeInterval = 3 * 24 * 3600
        /// One attempt's time limit.
        public var timeout: TimeInterval = 10

        /// Settings with the documented defaults.
        public init(url: URL, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    private let store: CallStore
    private let settings: Settings
    private let logger: Logger
    private let session: URLSession

    /// A deliverer from `store`'s outbox to `settings.url`.
    public init(store: CallStore, settings: Settings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.timeout
        configuration.timeoutIntervalForResource = settings.timeout
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    /// The delay before the retry that follows `attempts` failed attempts (1 → base, 2 → 2 base …).
    public static func backoff(afterAttempts attempts: Int, base: Duration, cap: Duration) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let delay = base * (1 << exponent)
        return delay > cap ? cap : delay
    }

    /// Delivers until the task is cancelled: due messages in id order, then a short sleep
    /// (`backoffBase`, at most 1 s) when none is due.
    public func run() async {
        let idle = min(settings.backoffBase, .seconds(1))
        while !Task.isCancelled {
            let due: [OutboxMessage]
            do {
                due = try await store.dueOutboxMessages(now: Date(), limit: 20)
            } catch {
                logger.error("webhook: cannot read the outbox: \(error)")
                due = []
            }
            for message in due where !Task.isCancelled { await deliver(message) }
            if due.isEmpty { try? await Task.sleep(for: idle) }
        }
    }

    /// One attempt at `message`, and its outcome written to the outbox.
    func deliver(_ message: OutboxMessage) async {
        let problem = await post(message)
        do {
            guard let problem else {
                try await store.markOutboxDelivered(id: message.id)
                logger.info("webhook: delivered \(message.event) \(message.id) (attempt \(message.attempts + 1))")
                return
            }
            let now = Date()
            if now.timeIntervalSince(message.createdAt) >= settings.maxAge {
                try await store.markOutboxFailed(id: message.id, error: problem, retryAt: nil, at: now)
                logger.error("webhook: gave up \(message.event) \(message.id) after \(message.attempts + 1) attempts: \(problem)")
                return
            }
            let delay = Self.backoff(afterAttempts: message.attempts + 1, base: settings.backoffBase, cap: settings.backoffCap)
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            try await store.markOutboxFailed(id: message.id, error: problem, retryAt: now.addingTimeInterval(seconds), at: now)
            logger.warning("webhook: \(message.event) \(message.id) failed (\(problem)); retry in \(seconds) s")
        } catch {
            logger.error("webhook: cannot update the outbox: \(error)")
        }
    }

    /// POSTs the message; nil when the receiver answered 2xx, else what went wrong.
    func post(_ message: OutboxMessage) async -> String? {
        let body = Array(message.payload.utf8)
        var request = URLRequest(url: settings.url, cachePolicy: .reloadIgnoringLocalCacheData,
                                 timeoutInterval: settings.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(OutboxSignature.header(secret: settings.secret, body: body), forHTTPHeaderField: "X-VoiceGate-Signature")
        request.setValue(message.event, forHTTPHeaderField: "X-VoiceGate-Event")
        request.setValue("\(message.id)", forHTTPHeaderField: "X-VoiceGate-Delivery")
        let finalRequest = request
        let session = self.session
        return await withCheckedContinuation { continuation in
            session.dataTask(with: finalRequest) { _, response, error in
                if let error {
                    continuation.resume(returning: (error as? URLError)?.code == .timedOut ? "timeout" : "unreachable: \(error.localizedDescription)")
                } else if let http = response as? HTTPURLResponse {
                    continuation.resume(returning: (200...299).contains(http.statusCode) ? nil : "http \(http.statusCode)")
                } else {
                    continuation.resume(returning: "no HTTP response")
                }
            }.resume()
        }
    }
}
