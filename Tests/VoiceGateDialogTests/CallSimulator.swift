import Foundation
import VoiceGateDialog
import VoiceGateTestSupport

/// The repository root, found from this file (tests must not depend on the working directory).
let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped menu, loaded and validated against the shipped prompt ids.
func shippedMenu() throws -> Menu {
    let text = try String(contentsOf: repoRoot.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
    switch MenuLoader.load(yaml: text, file: "Config/menu.yaml") {
    case .success(let menu): return menu
    case .failure(let problems): throw problems
    }
}

/// Drives the engine like a real call would, with a manual clock: timers fire when time
/// is advanced past them, prompts finish when the test says so.
struct CallSimulator {
    let engine: DialogEngine
    var state: DialogState
    var clock = ManualClock()
    var actions: [DialogAction] = []
    var timers: [DialogTimerID: Int64] = [:]
    var playing: (id: String, segments: [PromptSegment], bargeIn: Bool, slow: Bool, language: Language)?
    var requests: [BackendRequest] = []

    init(menu: Menu, caller: String = "+15550100", profile: BackendResult? = .profile(known: true, assisted: false)) {
        engine = DialogEngine(menu: menu)
        let (state, actions) = engine.start(call: CallInfo(callID: "call-1", callerNumber: caller, calledNumber: "+15550000"), atMs: 0)
        self.state = state
        apply(actions)
        if let profile {
            clock.advance(byMs: 20)
            send(.backendResult(profile))
        }
    }

    var now: Int64 { clock.nowMs }

    mutating func apply(_ new: [DialogAction]) {
        for action in new {
            actions.append(action)
            switch action {
            case let .play(id, segments, language, bargeIn, slow): playing = (id, segments, bargeIn, slow, language)
            case .stopPlayback(let id): if playing?.id == id { playing = nil }
            case let .startTimer(id, after): timers[id] = now + after
            case .cancelTimer(let id): timers[id] = nil
            case .lookup(let request): requests.append(request)
            case .transfer, .hangUp: timers = [:]
            case .record: break
            }
        }
    }

    mutating func send(_ kind: DialogEvent.Kind) {
        let (next, new) = engine.handle(DialogEvent(atMs: now, kind), in: state)
        state = next
        apply(new)
    }

    /// Moves time on, firing due timers in order.
    mutating func advance(_ ms: Int64) {
        let target = now + ms
        while let (id, due) = timers.filter({ $0.value <= target }).min(by: { $0.value < $1.value }) {
            timers[id] = nil
            clock.advance(byMs: due - now)
            send(.timerFired(id))
        }
        clock.advance(byMs: target - now)
    }

    /// Lets the playing prompt run for `ms` and finish.
    mutating func finishPrompt(after ms: Int64 = 1000) {
        advance(ms)
        if let id = playing?.id {
            playing = nil
            send(.promptFinished(playID: id))
        }
    }

    /// Presses keys `gap` ms apart.
    mutating func press(_ keys: String, gap: Int64 = 300) {
        for key in keys {
            advance(gap)
            send(.dtmf(key))
        }
    }

    /// The caller says something the spotter maps to `intent`.
    mutating func say(_ intent: String, phrase: String? = nil, confidence: Double = 0.9) {
        advance(300)
        send(.speechStarted)
        advance(700)
        send(.speechEnded)
        send(.intent(name: intent, confidence: confidence, source: .speech, phrase: phrase ?? intent))
    }

    /// Answers the last lookup.
    mutating func answer(_ result: BackendResult, after ms: Int64 = 80) {
        advance(ms)
        send(.backendResult(result))
    }

    var traces: [TraceEvent] { actions.compactMap { if case .record(let t) = $0 { return t } else { return nil } } }

    /// The trace as JSON lines.
    var traceJSON: String { traces.map { $0.jsonLine() }.joined(separator: "\n") }

    /// A compact, time-free rendering of the trace for golden comparisons.
    var golden: [String] {
        traces.map { event in
            let node = event.node ?? "-"
            switch event.detail {
            case .node: return "node \(node)"
            case let .prompt(id, language, state, _): return "prompt \(id) \(language.rawValue) \(state.rawValue)"
            case let .dtmf(digit, masked, typeAhead): return "dtmf \(digit)\(masked ? " masked" : "")\(typeAhead ? " typeahead" : "")"
            case let .intent(name, _, source): return "intent \(name) \(source.rawValue)"
            case .noInput(let count): return "noinput \(count) @\(node)"
            case let .noMatch(count, loud): return "nomatch \(count)\(loud ? " loud" : "") @\(node)"
            case let .lookup(request, result): return "lookup \(request) \(result ?? "sent")"
            case let .transfer(queue, reason, priority, _): return "transfer \(queue) \(reason) \(priority)"
            case let .hangup(by, outcome): return "hangup \(by) \(outcome.rawValue)"
            case let .bargeIn(cause, id, _, _, _): return "bargein \(cause.rawValue) \(id)"
            case let .falseBargeIn(cause, id, _): return "false_bargein \(cause.rawValue) \(id)"
            }
        }
    }

    /// Play actions in order.
    var plays: [(segments: [PromptSegment], language: Language, bargeIn: Bool, slow: Bool)] {
        actions.compactMap { if case let .play(_, s, l, b, slow) = $0 { return (s, l, b, slow) } else { return nil } }
    }

    /// The transfer action, if any.
    var transfer: (queue: String, reason: String, priority: Int, context: TransferContext)? {
        for action in actions { if case let .transfer(q, r, p, c) = action { return (q, r, p, c) } }
        return nil
    }
}
