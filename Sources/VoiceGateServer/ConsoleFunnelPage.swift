import Foundation

/// The Funnel page's body: window form, containment against the bank's target, the per-node
/// chart with its numbers beside it (worst nodes first, highlighted), and the response-latency
/// histogram. Definitions are in docs/ops-console.md.
public enum ConsoleFunnelPage {
    /// The body HTML for `window`.
    public static func body(_ window: FunnelWindow) -> String {
        let e = ConsoleHTML.escape
        var html = """
            <form method="get" action="/console/funnel" class="filters">
            <label>From (UTC) <input type="datetime-local" name="from" value="\(ConsoleTime.inputValue(window.from))"></label>
            <label>To <input type="datetime-local" name="to" value="\(ConsoleTime.inputValue(window.to))"></label>
            <button type="submit">Show</button> <a href="/console/funnel">last 24 h</a>
            </form>
            <p>Calls that started from \(ConsoleTime.display(window.from)) to \(ConsoleTime.display(window.to)) UTC: \
            <b class="call-count">\(window.funnel.calls)</b>.\
            \(window.truncated ? " <b class=\"bad\">Only the oldest calls of this window were read; narrow it.</b>" : "")</p>
            """
        html += containmentHTML(window.containment)

        let nodes = window.funnel.nodes
        html += """
            <h2>Per node</h2>
            <p>Worst first: nodes where at least 25% of the callers who entered did not succeed are highlighted.</p>
            <div style="display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start">
            <div>\(ConsoleSVG.funnelChart(nodes) { FunnelReport.isProblem($0) })</div>
            <table class="funnel"><thead><tr><th>Node</th><th>Entered</th><th>Succeeded</th><th>No-input</th>\
            <th>No-match</th><th>Barge-in</th><th>False barge-in</th><th>Asked agent</th><th>Hung up</th><th>Failed</th></tr></thead><tbody>
            """
        for node in nodes {
            let problem = FunnelReport.isProblem(node)
            let percent = Int((node.failureRate * 100).rounded())
            html += """
                <tr class="node\(problem ? " problem bad" : "")" data-node="\(e(node.name))"><td>\(problem ? "<b>\(e(node.name))</b>" : e(node.name))</td>\
                <td class="num entered">\(node.entered)</td><td class="num succeeded">\(node.succeeded)</td>\
                <td class="num noinput">\(node.noInput)</td><td class="num nomatch">\(node.noMatch)</td>\
                <td class="num bargein">\(node.bargedIn)</td><td class="num falsebargein">\(node.falseBargeIn)</td>\
                <td class="num agent">\(node.askedAgent)</td><td class="num hungup">\(node.hungUp)</td>\
                <td class="num failed">\(node.failed) (\(percent)%)</td></tr>
                """
        }
        html += "</tbody></table></div>"

        let latency = window.latency
        let p50 = latency.percentile(0.5).map { "\($0) ms" } ?? "–"
        let p95 = latency.percentile(0.95).map { "\($0) ms" } ?? "–"
        html += """
            <h2>Response latency</h2>
            <p>From the caller's input as stored (a key, a recognised intent or a no-match) to the next prompt \
            starting, as the events record it: the IVR's decision plus any backend lookup before the answer. \
            Not in it: the wait for the end of speech before an intent is decided, and prompt rendering and \
            audio buffering after the decision (see /metrics for the live measure). \
            p50 <b class="p50">\(p50)</b>, p95 <b class="p95">\(p95)</b>, \(latency.count) responses.</p>
            \(ConsoleSVG.latencyHistogram(latency))
            """
        return html
    }

    /// Containment: actual against target as numbers and a bar with the target marked.
    static func containmentHTML(_ containment: ContainmentReport) -> String {
        let target = ContainmentReport.bankTarget
        let actualText = containment.rate.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
        let met = (containment.rate ?? 0) >= target
        let width = 400.0
        let actualWidth = (containment.rate ?? 0) * width
        let outcomes = containment.byOutcome.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        return """
            <h2>Containment</h2>
            <p>Self-served without an agent / finished calls: <b class="containment\(met ? "" : " bad")">\(actualText)</b> \
            (\(containment.selfServed) of \(containment.finished)) · target <b>\(Int(target * 100))%</b>\
            \(containment.running > 0 ? " · \(containment.running) still running (not counted)" : "")</p>
            <svg xmlns="http://www.w3.org/2000/svg" class="containment-chart" width="\(Int(width) + 60)" height="34" font-family="system-ui,sans-serif" font-size="11">
            <rect x="0" y="4" width="\(Int(width))" height="16" fill="#eee"/>
            <rect x="0" y="4" width="\(ConsoleSVG.format(actualWidth))" height="16" fill="\(met ? ConsoleSVG.succeededColour : ConsoleSVG.hungUpColour)"><title>actual \(actualText)</title></rect>
            <line x1="\(ConsoleSVG.format(target * width))" y1="0" x2="\(ConsoleSVG.format(target * width))" y2="24" stroke="#000" stroke-width="2"/>
            <text x="\(ConsoleSVG.format(target * width + 4))" y="32">target \(Int(target * 100))%</text>
            </svg>
            <p class="outcomes">Outcomes: \(outcomes.isEmpty ? "none" : outcomes)</p>
            """
    }
}
