public import Foundation
public import Hummingbird
public import VoiceGateStore

/// The ops console's read pages (server-rendered HTML, no scripts), over the call records:
/// - `GET /console/calls?from=&to=&outcome=&node=&caller=&limit=&offset=`: calls, newest first;
/// - `GET /console/calls/{id}`: one call's timeline and transfers;
/// - `GET /console/funnel?from=&to=` (default the last 24 h): per-node funnel, containment,
///   response latency.
/// Install with `AdminHTTPServer.addRoutes { ConsoleRoutes(store: store).install(on: $0) }`.
/// Access control is the authentication middleware's (viewer role for every page here); these
/// handlers only read.
public struct ConsoleRoutes: Sendable {
    /// The records the pages read.
    public let store: CallStore
    /// The clock for the funnel's default window (injectable for tests).
    public let now: @Sendable () -> Date

    /// Routes over `store`.
    public init(store: CallStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// Adds the pages to `router`.
    public func install(on router: Router<AdminRequestContext>) {
        router.get("/console") { _, _ in
            Response(status: .seeOther, headers: [.location: "/console/funnel"])
        }
        router.get("/console/calls") { [store] request, _ in
            let query = ConsoleCallsQuery(parameters: Self.parameters(request))
            do {
                let calls = try await store.calls(filter: query.filter)
                return ConsoleHTML.page(title: "Calls", body: ConsoleCallsPage.body(
                    calls: calls, query: query, hasMore: calls.count > query.limit))
            } catch {
                return Self.failure(error)
            }
        }
        router.get("/console/calls/:id") { [store] _, context in
            let raw = context.parameters.get("id") ?? ""
            let id = raw.removingPercentEncoding ?? raw
            do {
                guard let call = try await store.call(id: id) else {
                    return ConsoleHTML.page(title: "Call not found",
                                            body: "<p>No call <code>\(ConsoleHTML.escape(id))</code> in the records.</p>"
                                                + #"<p><a href="/console/calls">All calls</a></p>"#,
                                            status: .notFound)
                }
                let events = try await store.events(callID: id)
                let transfers = try await store.transfers(callID: id)
                return ConsoleHTML.page(title: "Call \(ConsoleTime.display(call.startedAt)) from \(call.callerNumber)",
                                        body: ConsoleTimelinePage.body(call: call, events: events, transfers: transfers))
            } catch {
                return Self.failure(error)
            }
        }
        router.get("/console/funnel") { [store, now] request, _ in
            let parameters = Self.parameters(request)
            let to = ConsoleTime.parse(parameters["to"]) ?? now()
            let from = ConsoleTime.parse(parameters["from"]) ?? to.addingTimeInterval(-24 * 3600)
            do {
                let window = try await FunnelWindow.load(from: from, to: to, store: store)
                return ConsoleHTML.page(title: "Funnel", body: ConsoleFunnelPage.body(window))
            } catch {
                return Self.failure(error)
            }
        }
    }

    /// The query parameters by name (the first of repeated names), decoded as an HTML form
    /// sends them: `+` is a space, `%2B` a plus (Hummingbird's own map leaves `+` alone).
    static func parameters(_ request: Request) -> [String: String] {
        formParameters(request.uri.query ?? "")
    }

    /// `application/x-www-form-urlencoded` pairs of `query`, first value of each name.
    static func formParameters(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if result[key] == nil { result[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return result
    }

    /// A page saying the records could not be read (the error's text, escaped).
    static func failure(_ error: any Error) -> Response {
        ConsoleHTML.page(title: "Records unavailable",
                         body: "<p class=\"bad\">Reading the call records failed: \(ConsoleHTML.escape("\(error)"))</p>",
                         status: .internalServerError)
    }
}
