public import VoiceGateStore

/// The Calls page's body: the filter form (a plain GET form) and one page of calls, newest
/// first, each linking to its timeline.
public enum ConsoleCallsPage {
    /// The body HTML for `calls` (at most `query.limit` are shown; `hasMore`: a next page exists).
    public static func body(calls: [CallRecord], query: ConsoleCallsQuery, hasMore: Bool) -> String {
        let e = ConsoleHTML.escape
        // Explicit String types: with GRDB visible, bare literals here can be inferred as SQL fragments.
        let values: [String] = [""] + RecordedOutcome.allCases.map { $0.rawValue }
        let outcomes = values.map { (value: String) -> String in
            let selected: Bool = query.outcome?.rawValue == value || (value.isEmpty && query.outcome == nil)
            let label: String = value.isEmpty ? "any" : value
            let mark: String = selected ? " selected" : ""
            return "<option value=\"\(value)\"\(mark)>\(label)</option>"
        }.joined()
        var html = """
            <form method="get" action="/console/calls" class="filters">
            <label>From (UTC) <input type="datetime-local" name="from" value="\(ConsoleTime.inputValue(query.from))"></label>
            <label>To <input type="datetime-local" name="to" value="\(ConsoleTime.inputValue(query.to))"></label>
            <label>Outcome <select name="outcome">\(outcomes)</select></label>
            <label>Node <input name="node" size="14" value="\(e(query.node ?? ""))"></label>
            <label>Caller <input name="caller" size="14" value="\(e(query.caller ?? ""))"></label>
            <input type="hidden" name="limit" value="\(query.limit)">
            <button type="submit">Filter</button> <a href="/console/calls">clear</a>
            </form>
            """
        let shown = calls.prefix(query.limit)
        if shown.isEmpty {
            html += "<p>No calls match.</p>"
        } else {
            html += """
                <table class="calls"><thead><tr><th>Started (UTC)</th><th>Caller</th><th>Called</th><th>Language</th>\
                <th>Duration</th><th>Outcome</th><th>Transfer reason</th><th>Call</th></tr></thead><tbody>
                """
            for call in shown {
                let outcome = call.outcome?.rawValue ?? "running"
                let bad = call.outcome == .failed || call.outcome == .abandoned || call.outcome == .interrupted
                html += """
                    <tr><td><a href="\(e(ConsoleURL.call(call.id)))">\(ConsoleTime.display(call.startedAt))</a></td>\
                    <td>\(e(call.callerNumber))</td><td>\(e(call.calledNumber))</td><td>\(e(call.language))</td>\
                    <td class="num">\(ConsoleTime.duration(from: call.startedAt, to: call.endedAt))</td>\
                    <td class="outcome\(bad ? " bad" : "")">\(e(outcome))</td><td>\(e(call.transferReason ?? ""))</td>\
                    <td><a class="call-link" href="\(e(ConsoleURL.call(call.id)))">\(e(call.id))</a></td></tr>
                    """
            }
            html += "</tbody></table>"
        }
        var pager: [String] = []
        if query.offset > 0 {
            pager.append(#"<a rel="prev" href="/console/calls?\#(e(query.queryString(offset: max(0, query.offset - query.limit))))">← newer</a>"#)
        }
        if !shown.isEmpty {
            pager.append("calls \(query.offset + 1)–\(query.offset + shown.count)")
        }
        if hasMore {
            pager.append(#"<a rel="next" href="/console/calls?\#(e(query.queryString(offset: query.offset + query.limit)))">older →</a>"#)
        }
        return html + "<p class=\"pager\">" + pager.joined(separator: " · ") + "</p>"
    }
}
