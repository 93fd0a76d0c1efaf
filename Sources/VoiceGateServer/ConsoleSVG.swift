import Foundation

/// The console's charts as inline SVG drawn on the server (no scripts, no chart library):
/// the funnel's stacked horizontal bars and the latency histogram.
enum ConsoleSVG {
    /// The funnel's segment colours, also used by the legend and the table.
    static let succeededColour = "#3a8f4b"
    static let agentColour = "#e08a00"
    static let hungUpColour = "#c0392b"
    static let otherColour = "#8e5aa8"
    static let noInputColour = "#7f8c8d"
    static let noMatchColour = "#2c6fb0"

    /// One horizontal bar per node (the order given: worst first): entered callers split into
    /// succeeded / asked for an agent / hung up / other failures, and under it two thin bars
    /// for the callers who hit no-input and no-match. Problem nodes get a red, bold label.
    static func funnelChart(_ nodes: [FunnelReport.Node], isProblem: (FunnelReport.Node) -> Bool) -> String {
        let labelWidth = 150.0, barWidth = 340.0, rowHeight = 40.0, top = 48.0, numbersWidth = 130.0
        let width = labelWidth + barWidth + numbersWidth
        let height = top + rowHeight * Double(max(nodes.count, 1)) + 10
        let scale = barWidth / Double(max(nodes.map(\.entered).max() ?? 1, 1))
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" class="funnel-chart" role="img" aria-label="Funnel per node" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="system-ui,sans-serif" font-size="12">"#
        let legend: [(String, String)] = [("succeeded", succeededColour), ("asked for agent", agentColour),
                                          ("hung up", hungUpColour), ("other failure", otherColour),
                                          ("no-input", noInputColour), ("no-match", noMatchColour)]
        // Two legend rows: the bar's segments, then the thin bars.
        var x = labelWidth
        for (index, (label, colour)) in legend.enumerated() {
            let row = index < 4 ? 0.0 : 1.0
            if index == 4 { x = labelWidth }
            svg += #"<rect x="\#(format(x))" y="\#(6 + row * 16)" width="10" height="10" fill="\#(colour)"/><text x="\#(format(x + 14))" y="\#(15 + row * 16)">\#(label)</text>"#
            x += 14 + Double(label.count) * 6.6 + 14
        }
        if nodes.isEmpty {
            svg += #"<text x="\#(labelWidth)" y="\#(top + 20)">No calls in this window.</text>"#
        }
        for (index, node) in nodes.enumerated() {
            let y = top + Double(index) * rowHeight
            let problem = isProblem(node)
            let name = ConsoleHTML.escape(node.name)
            svg += #"<g class="node\#(problem ? " problem" : "")" data-node="\#(name)">"#
            if problem {
                svg += ##"<rect x="0" y="\##(y - 2)" width="\##(width)" height="\##(rowHeight - 4)" fill="#fdecea"/>"##
            }
            svg += ##"<text x="\##(labelWidth - 8)" y="\##(y + 14)" text-anchor="end"\##(problem ? ##" fill="#b00" font-weight="bold""## : "")>\##(name)</text>"##
            var offset = labelWidth
            let segments: [(Int, String, String)] = [(node.succeeded, succeededColour, "succeeded"),
                                                     (node.askedAgent, agentColour, "asked for agent"),
                                                     (node.hungUp, hungUpColour, "hung up"),
                                                     (node.otherFailures, otherColour, "other failure")]
            for (count, colour, label) in segments where count > 0 {
                let w = Double(count) * scale
                svg += #"<rect x="\#(format(offset))" y="\#(y + 2)" width="\#(format(w))" height="18" fill="\#(colour)"><title>\#(name): \#(count) \#(label)</title></rect>"#
                offset += w
            }
            let thin: [(Int, String, String, Double)] = [(node.noInput, noInputColour, "no-input", 23),
                                                         (node.noMatch, noMatchColour, "no-match", 28)]
            for (count, colour, label, dy) in thin where count > 0 {
                svg += #"<rect x="\#(labelWidth)" y="\#(y + dy)" width="\#(format(Double(count) * scale))" height="4" fill="\#(colour)"><title>\#(name): \#(count) \#(label)</title></rect>"#
            }
            let percent = Int((node.failureRate * 100).rounded())
            svg += #"<text x="\#(labelWidth + barWidth + 8)" y="\#(y + 15)">\#(node.entered) in · \#(percent)% fail</text>"#
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// Vertical bars, one per latency bucket, with p50/p95 written above.
    static func latencyHistogram(_ distribution: LatencyDistribution) -> String {
        let width = 760.0, height = 230.0, left = 40.0, bottom = 40.0, top = 38.0
        let buckets = distribution.counts.count
        let slot = (width - left - 10) / Double(buckets)
        let peak = Double(max(distribution.counts.max() ?? 1, 1))
        let plotHeight = height - bottom - top
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" class="latency-chart" role="img" aria-label="Response latency histogram" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="system-ui,sans-serif" font-size="11">"#
        let p50 = distribution.percentile(0.5).map { "\($0) ms" } ?? "–"
        let p95 = distribution.percentile(0.95).map { "\($0) ms" } ?? "–"
        svg += #"<text x="\#(left)" y="14">\#(distribution.count) responses · p50 \#(p50) · p95 \#(p95)</text>"#
        svg += ##"<line x1="\##(left)" y1="\##(height - bottom)" x2="\##(width - 10)" y2="\##(height - bottom)" stroke="#555"/>"##
        for (bucket, count) in distribution.counts.enumerated() {
            let x = left + Double(bucket) * slot
            let h = Double(count) / peak * plotHeight
            let label = LatencyDistribution.label(bucket: bucket)
            if count > 0 {
                svg += ##"<rect x="\##(format(x + 2))" y="\##(format(height - bottom - h))" width="\##(format(slot - 4))" height="\##(format(h))" fill="#2c6fb0"><title>\##(label) ms: \##(count)</title></rect>"##
                svg += #"<text x="\#(format(x + slot / 2))" y="\#(format(height - bottom - h - 3))" text-anchor="middle">\#(count)</text>"#
            }
            svg += #"<text x="\#(format(x + slot / 2))" y="\#(height - bottom + 14)" text-anchor="middle" font-size="10">\#(label)</text>"#
        }
        svg += #"<text x="\#(format(width / 2))" y="\#(height - 6)" text-anchor="middle">milliseconds from the caller's input to the next prompt</text>"#
        return svg + "</svg>"
    }

    /// A coordinate with at most one decimal.
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
