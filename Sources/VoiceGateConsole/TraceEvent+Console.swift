public import VoiceGateDialog

extension TraceEvent {
    /// One human-readable line for a person talking to the console, e.g.
    /// `  3.42s  [main_menu]  intent card (0.87, speech)`. Same content as `jsonLine()` minus
    /// the transfer context, which is too long to read while talking.
    public var consoleLine: String {
        let centis = (atMs + 5) / 10
        let fraction = centis % 100
        let time = "\(centis / 100).\(fraction < 10 ? "0" : "")\(fraction)s"
        let padded = String(repeating: " ", count: max(0, 8 - time.count)) + time
        let place = node.map { "[\($0)]" } ?? "[-]"
        let what: String
        switch detail {
        case .node:
            what = "entered node"
        case let .prompt(id, language, state, _):
            what = "prompt \(id) (\(language.rawValue)) \(state.rawValue)"
        case let .dtmf(digit, masked, typeAhead):
            what = "key \(digit)" + (masked ? " (masked)" : "") + (typeAhead ? " (type-ahead)" : "")
        case let .intent(name, confidence, source):
            let rounded = (confidence * 100).rounded() / 100
            what = "intent \(name) (\(rounded), \(source.rawValue))"
        case .noInput(let count):
            what = "no input #\(count)"
        case let .noMatch(count, loud):
            what = "no match #\(count)" + (loud ? " (raised voice)" : "")
        case let .lookup(request, result):
            what = "bank \(request)" + (result.map { " -> \($0)" } ?? " ...")
        case let .transfer(queue, reason, priority, _):
            what = "TRANSFER to \(queue) (reason \(reason), priority \(priority))"
        case let .hangup(by, outcome):
            what = "HANG UP by \(by) (\(outcome.rawValue))"
        case let .bargeIn(cause, id, _, intent, confidence):
            let heard = intent.map { " \($0)" + (confidence.map { " \(($0 * 100).rounded() / 100)" } ?? "") } ?? ""
            what = "barge-in by \(cause.rawValue)\(heard): \(id) stopped"
        case let .falseBargeIn(cause, id, _):
            what = "false barge-in (\(cause.rawValue)): \(id) was cut for nothing"
        }
        return "\(padded)  \(place)  \(what)"
    }
}
