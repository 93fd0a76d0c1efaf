public import Foundation
public import VoiceGateStore

/// The Calls page's filters as they come in the query string of its plain GET form:
/// `from`, `to` (UTC), `outcome`, `node`, `caller`, `limit` (1...500, default 50), `offset`.
/// Unknown or empty values do not filter.
public struct ConsoleCallsQuery: Sendable, Equatable {
    /// Calls that started at or after this time.
    public var from: Date?
    /// Calls that started before this time.
    public var to: Date?
    /// Calls with this outcome.
    public var outcome: RecordedOutcome?
    /// Calls with an event in this node.
    public var node: String?
    /// Calls from this number.
    public var caller: String?
    /// Rows per page.
    public var limit = 50
    /// Rows skipped.
    public var offset = 0

    /// The filters in `parameters` (query parameter name to value).
    public init(parameters: [String: String]) {
        func text(_ name: String) -> String? {
            guard let value = parameters[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        from = ConsoleTime.parse(text("from"))
        to = ConsoleTime.parse(text("to"))
        outcome = text("outcome").flatMap(RecordedOutcome.init(rawValue:))
        node = text("node")
        caller = text("caller")
        limit = min(500, max(1, text("limit").flatMap(Int.init) ?? 50))
        offset = max(0, text("offset").flatMap(Int.init) ?? 0)
    }

    /// The store filter; one row more than a page, to know whether there is a next page.
    public var filter: CallFilter {
        CallFilter(startedFrom: from, startedBefore: to, outcome: outcome, callerNumber: caller, node: node,
                   limit: limit + 1, offset: offset)
    }

    /// The query string of the same filters at another offset (for the page links).
    func queryString(offset: Int) -> String {
        var items: [(String, String)] = []
        if let from { items.append(("from", ConsoleTime.inputValue(from))) }
        if let to { items.append(("to", ConsoleTime.inputValue(to))) }
        if let outcome { items.append(("outcome", outcome.rawValue)) }
        if let node { items.append(("node", node)) }
        if let caller { items.append(("caller", caller)) }
        items.append(("limit", String(limit)))
        items.append(("offset", String(offset)))
        return items.map { "\($0.0)=\(ConsoleURL.encode($0.1))" }.joined(separator: "&")
    }
}

/// Percent-encoding for the console's links.
enum ConsoleURL {
    /// `text` safe as one path segment or query value.
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The link to a call's timeline.
    static func call(_ id: String) -> String { "/console/calls/" + encode(id) }
}
