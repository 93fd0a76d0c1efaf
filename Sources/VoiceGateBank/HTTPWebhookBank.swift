public import Foundation
public import VoiceGateDialog
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A bank reached over HTTP: each `BackendRequest` is POSTed as JSON to one URL and the JSON
/// answer mapped back (wire format: docs/bank-webhook.md). Use HTTPS in production: the
/// `verifyIdentity` body carries the PIN.
///
/// Every request ends within `timeout` plus scheduling slack, whatever the server does: a
/// deadline task races the transfer and the first to finish answers. Transport problems
/// become `.failure(reason:)` with "timeout", "unreachable", "http <status>" or
/// "bad response"; nothing is thrown, retried or logged.
public final class HTTPWebhookBank: BankBackend {
    /// The default end-to-end budget of one request: inside the 2 s the bank allows a simple query.
    public static let defaultTimeout: Duration = .seconds(2)

    private let url: URL
    private let bearerToken: String?
    private let timeout: Duration
    private let session: URLSession

    /// A webhook bank POSTing to `url`, with `Authorization: Bearer <bearerToken>` when a token
    /// is given, and at most `timeout` per request.
    public init(url: URL, bearerToken: String? = nil, timeout: Duration = HTTPWebhookBank.defaultTimeout) {
        self.url = url
        self.bearerToken = bearerToken
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        // The deadline task is the real limit; URLSession's own timers are a backstop just behind it.
        let backstop = Self.seconds(timeout) + 1
        configuration.timeoutIntervalForRequest = backstop
        configuration.timeoutIntervalForResource = backstop
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// POSTs `request` and maps the answer; never throws, never outlasts the timeout by more
    /// than scheduling slack.
    public func perform(_ request: BackendRequest) async -> BackendResult {
        guard let body = WebhookMessages.encode(request) else { return .failure(reason: "bad request") }
        var httpRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData,
                                     timeoutInterval: Self.seconds(timeout) + 1)
        httpRequest.httpMethod = "POST"
        httpRequest.httpBody = body
        httpRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        httpRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        if let bearerToken {
            httpRequest.setValue("Bearer \(bearerToken)", forHTTPHeaderField: "Authorization")
        }
        let finalRequest = httpRequest
        let timeout = self.timeout
        let session = self.session
        return await withCheckedContinuation { continuation in
            let gate = FirstAnswerGate(continuation)
            let transfer = session.dataTask(with: finalRequest) { data, response, error in
                let result = Self.map(data: data, response: response, error: error, for: request)
                Task { await gate.answer(result) }
            }
            let deadline = Task {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
                if await gate.answer(.failure(reason: "timeout")) {
                    transfer.cancel()
                }
            }
            Task { await gate.onAnswered { deadline.cancel() } }
            transfer.resume()
        }
    }

    /// Maps what URLSession delivered to a result.
    private static func map(data: Data?, response: URLResponse?, error: (any Error)?,
                            for request: BackendRequest) -> BackendResult {
        if let error {
            let code = (error as? URLError)?.code
            return .failure(reason: code == .timedOut || code == .cancelled ? "timeout" : "unreachable")
        }
        guard let http = response as? HTTPURLResponse else { return .failure(reason: "bad response") }
        guard (200...299).contains(http.statusCode) else { return .failure(reason: "http \(http.statusCode)") }
        guard let data, !data.isEmpty else { return .failure(reason: "bad response") }
        return WebhookMessages.decode(data, for: request)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}

/// Resumes a continuation exactly once with the first answer (transfer or deadline) and runs
/// clean-up when that happens. An actor, because the two racers run on different threads.
private actor FirstAnswerGate {
    private var continuation: CheckedContinuation<BackendResult, Never>?
    private var cleanUps: [@Sendable () -> Void] = []

    init(_ continuation: CheckedContinuation<BackendResult, Never>) {
        self.continuation = continuation
    }

    /// Delivers `result` if nothing was delivered yet; returns whether this call did.
    @discardableResult
    func answer(_ result: BackendResult) -> Bool {
        guard let continuation else { return false }
        self.continuation = nil
        continuation.resume(returning: result)
        cleanUps.forEach { $0() }
        cleanUps.removeAll()
        return true
    }

    /// Runs `cleanUp` once an answer is delivered (at once if it already was).
    func onAnswered(_ cleanUp: @escaping @Sendable () -> Void) {
        if continuation == nil { cleanUp() } else { cleanUps.append(cleanUp) }
    }
}
