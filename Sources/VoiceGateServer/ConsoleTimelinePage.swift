public import VoiceGateDialog
public import VoiceGateStore

/// A call's timeline page body: the call's row, then every stored event with its offset from the
/// call's start in words (prompts, what was heard, digits exactly as stored — masked keys stay
/// `*`, nothing is unmasked here), then the transfers with the context the agent got.
public enum ConsoleTimelinePage {
    /// The body HTML.
    public static func body(call: CallRecord, events: [TraceEvent], transfers: [TransferRecord]) -> String {
        let e = ConsoleHTML.escape
        var html = """
            <table class="call"><tbody>
            <tr><th>Call</th><td>\(e(call.id))</td></tr>
            <tr><th>Started (UTC)</th><td>\(ConsoleTime.display(call.startedAt))</td></tr>
            <tr><th>Ended</th><td>\(ConsoleTime.display(call.endedAt)) (\(ConsoleTime.duration(from: call.startedAt, to: call.endedAt)))</td></tr>
            <tr><th>Caller / called</th><td>\(e(call.callerNumber)) → \(e(call.calledNumber))</td></tr>
            <tr><th>Language</th><td>\(e(call.language))</td></tr>
            <tr><th>Menu version</th><td>\(call.menuVersion.map(String.init) ?? "–")</td></tr>
            <tr><th>Outcome</th><td class="outcome">\(e(call.outcome?.rawValue ?? "running"))\
            \(call.transferReason.map { " (" + e($0) + ")" } ?? "")\(call.endDetail.map { " — " + e($0) } ?? "")</td></tr>
            </tbody></table>
            <h2>Timeline</h2>
            """
        if events.isEmpty {
            html += "<p>No events stored (retention may have removed them).</p>"
        } else {
            html += #"<table class="timeline"><thead><tr><th>At</th><th>Node</th><th>Event</th><th>What</th></tr></thead><tbody>"#
            for event in events {
                let row = describe(event.detail)
                html += """
                    <tr class="event \(event.type)\(row.bad ? " bad" : "")"><td class="num">\(ConsoleTime.offset(ms: event.atMs))</td>\
                    <td>\(e(event.node ?? ""))</td><td>\(e(row.kind))</td><td>\(row.html)</td></tr>
                    """
            }
            html += "</tbody></table>"
        }
        if !transfers.isEmpty {
            html += "<h2>Transfers</h2>"
            for transfer in transfers { html += transferHTML(transfer) }
        }
        return html
    }

    /// An event's kind label, its description as HTML, and whether it marks a problem.
    static func describe(_ detail: TraceEvent.Detail) -> (kind: String, html: String, bad: Bool) {
        let e = ConsoleHTML.escape
        switch detail {
        case .node:
            return ("entered node", "", false)
        case let .prompt(id, language, state, _):
            return ("prompt", "<b>\(e(id))</b> (\(language.rawValue)) \(state.rawValue)", false)
        case let .dtmf(digit, masked, typeAhead):
            // As stored: masked keys are already "*" in the file and stay so.
            return ("key", #"<span class="digit">\#(e(digit))</span>"# + (masked ? " (masked)" : "")
                        + (typeAhead ? " (type-ahead)" : ""), false)
        case let .intent(name, confidence, source):
            return ("heard", "<b>\(e(name))</b> confidence \(String(format: "%.2f", confidence)) via \(source.rawValue)", false)
        case let .noInput(count):
            return ("no-input", "silence #\(count)", true)
        case let .noMatch(count, loud):
            return ("no-match", "not understood #\(count)" + (loud ? " (raised voice)" : ""), true)
        case let .lookup(request, result):
            return ("lookup", "\(e(request)) → \(e(result ?? "sent"))", false)
        case let .transfer(queue, reason, priority, _):
            return ("transfer", "to <b>\(e(queue))</b> because \(e(reason)), priority \(priority)", false)
        case let .hangup(by, outcome):
            return ("hangup", "by \(e(by)), outcome <b>\(outcome.rawValue)</b>", false)
        case let .bargeIn(cause, id, _, intent, confidence):
            let heard = intent.map { " (<b>\(e($0))</b>" + (confidence.map { String(format: " %.2f", $0) } ?? "") + ")" } ?? ""
            return ("barge-in", "\(cause.rawValue)\(heard) stopped <b>\(e(id))</b>", false)
        case let .falseBargeIn(cause, id, _):
            return ("false barge-in", "\(cause.rawValue) cut <b>\(e(id))</b>, then nothing matched", true)
        }
    }

    /// One transfer and its context as a small table.
    static func transferHTML(_ transfer: TransferRecord) -> String {
        let e = ConsoleHTML.escape
        let c = transfer.context
        let path = c.intentPath.map { step in e(step.node) + (step.intent.map { " (" + e($0) + ")" } ?? "") }
            .joined(separator: " → ")
        let keywords = c.keywords.map { k in
            "\(e(k.intent)) \(String(format: "%.2f", k.confidence)) \(k.source.rawValue)" + (k.phrase.map { " “" + e($0) + "”" } ?? "")
        }.joined(separator: ", ")
        let masked = c.maskedFields.sorted { $0.key < $1.key }.map { "\(e($0.key)): \(e($0.value))" }.joined(separator: ", ")
        let failures = c.failureCounts.sorted { $0.key < $1.key }
            .map { "\(e($0.key)): \($0.value.noinput) no-input, \($0.value.nomatch) no-match" }.joined(separator: "; ")
        return """
            <table class="transfer"><tbody>
            <tr><th>At (UTC)</th><td>\(ConsoleTime.display(transfer.createdAt))</td></tr>
            <tr><th>Queue</th><td>\(e(transfer.queue)) (priority \(transfer.priority))</td></tr>
            <tr><th>Reason</th><td>\(e(transfer.reason))</td></tr>
            <tr><th>Caller</th><td>\(e(c.ani)), language \(c.language.rawValue), verified \(c.verified ? "yes" : "no")\
            \(c.assisted ? ", assisted profile" : "")\(c.frustration ? ", <b>frustrated</b>" : "")</td></tr>
            <tr><th>Intent path</th><td>\(path)</td></tr>
            <tr><th>Keywords</th><td>\(keywords)</td></tr>
            <tr><th>Masked fields</th><td class="masked">\(masked.isEmpty ? "–" : masked)</td></tr>
            <tr><th>Failures</th><td>\(failures.isEmpty ? "–" : failures); identification failures \(c.identificationFailures)</td></tr>
            <tr><th>Time in IVR</th><td>\(String(format: "%.1f s", Double(c.timeInIVRMs) / 1000))</td></tr>
            </tbody></table>
            """
    }
}
