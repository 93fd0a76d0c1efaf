import Foundation
import Testing
import VoiceGateDialog
import VoiceGateServer
import VoiceGateStore

/// The funnel's per-node counts, containment and response latency from hand-written event
/// sequences shaped like the engine's traces.
@Suite struct FunnelReportTests {
    /// A tiny trace builder: events at increasing times.
    struct Trace {
        var events: [TraceEvent] = []
        var t: Int64 = 0
        var node: String?

        mutating func enter(_ name: String, after ms: Int64 = 10) { add(.node, in: name, after: ms) }
        mutating func add(_ detail: TraceEvent.Detail, in name: String? = nil, after ms: Int64 = 10) {
            t += ms
            if let name { node = name }
            events.append(TraceEvent(atMs: t, node: node, detail))
        }
        mutating func prompt(_ id: String, after ms: Int64 = 10) {
            add(.prompt(id: id, language: .en, state: .started, playID: "p\(events.count)"), after: ms)
        }
        mutating func key(_ digit: String, intent: String? = nil, after ms: Int64 = 10) {
            add(.dtmf(digit: digit, masked: false, typeAhead: false), after: ms)
            if let intent { add(.intent(name: intent, confidence: 1, source: .dtmf), after: 0) }
        }
    }

    static func selfServedBalance() -> [TraceEvent] {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        trace.key("1", intent: "balance", after: 2000)
        trace.enter("balance", after: 0); trace.add(.lookup(request: "balance", result: "balance"))
        trace.enter("say_balance"); trace.prompt("balance_is", after: 300)
        trace.enter("anything_else"); trace.prompt("anything_else")
        trace.add(.intent(name: "no", confidence: 0.8, source: .speech), after: 1500)
        trace.enter("goodbye", after: 0); trace.prompt("goodbye", after: 120)
        trace.add(.hangup(by: "ivr", outcome: .selfServed), after: 2000)
        return trace.events
    }

    static func silentThenAgent() -> [TraceEvent] {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        trace.add(.noInput(count: 1), after: 5000); trace.prompt("main_menu_short")
        trace.add(.noMatch(count: 1, loud: false), after: 3000); trace.prompt("main_menu_full", after: 200)
        trace.key("0", intent: "agent", after: 2000)
        trace.enter("agent", after: 0); trace.prompt("transfer_hold", after: 50)
        trace.add(.transfer(queue: "agents", reason: "agent_request", priority: 0, context: Self.context()))
        trace.add(.hangup(by: "transfer", outcome: .transferred), after: 0)
        return trace.events
    }

    static func hungUpInGreeting() -> [TraceEvent] {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        trace.add(.hangup(by: "caller", outcome: .abandoned), after: 1500)
        return trace.events
    }

    static func escalatedAfterNoInputs() -> [TraceEvent] {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        for count in 1...3 {
            trace.add(.noInput(count: count), after: 5000)
            if count < 3 { trace.prompt("main_menu_short") }
        }
        trace.enter("agent", after: 0); trace.prompt("transfer_hold")
        trace.add(.transfer(queue: "agents", reason: "max_failures", priority: 0, context: Self.context()))
        trace.add(.hangup(by: "transfer", outcome: .transferred), after: 0)
        return trace.events
    }

    /// A context as the engine writes it (the type has no public memberwise init: it is read from JSON).
    static func context() -> TransferContext {
        let json = #"{"call_id":"c","ani":"+15550001","language":"en","intent_path":[],"keywords":[],"verified":false,"masked_fields":{},"failure_counts":{},"identification_failures":0,"frustration":false,"assisted":false,"time_in_ivr_ms":1000,"reason":"agent_request","queue":"agents","priority":0}"#
        // A fixed, valid literal: decoding cannot fail unless the type's keys change (then every test here fails loudly).
        return try! JSONDecoder().decode(TransferContext.self, from: Data(json.utf8))
    }

    func report() -> FunnelReport {
        var report = FunnelReport()
        report.add(events: Self.selfServedBalance(), outcome: .selfServed)
        report.add(events: Self.silentThenAgent(), outcome: .transferred)
        report.add(events: Self.hungUpInGreeting(), outcome: .abandoned)
        report.add(events: Self.escalatedAfterNoInputs(), outcome: .transferred)
        return report
    }

    @Test func countsCallersPerNodeByTheDocumentedDefinitions() {
        let report = report()
        #expect(report.calls == 4)
        let greeting = report.nodesByName["greeting"]
        #expect(greeting?.entered == 4)
        #expect(greeting?.succeeded == 1)          // only the balance caller moved on by choice
        #expect(greeting?.noInput == 2)
        #expect(greeting?.noMatch == 1)
        #expect(greeting?.askedAgent == 1)
        #expect(greeting?.hungUp == 1)
        #expect(greeting?.otherFailures == 1)      // the escalation after three silences
        let agent = report.nodesByName["agent"]
        #expect(agent?.entered == 2 && agent?.succeeded == 2)   // both transfers went through
        #expect(report.nodesByName["goodbye"]?.succeeded == 1)
        #expect(report.nodesByName["balance"]?.succeeded == 1)
    }

    @Test func bargeInsAndFalseBargeInsAreCountedPerCaller() {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        // Energy barge-in, nothing matched (false), twice in one visit; then a key that works.
        for _ in 0..<2 {
            trace.add(.bargeIn(cause: .energy, id: "greeting", playID: "p1", intent: nil, confidence: nil), after: 800)
            trace.add(.noMatch(count: 1, loud: false), after: 1200)
            trace.add(.falseBargeIn(cause: .energy, id: "greeting", playID: "p1"), after: 0)
            trace.prompt("main_menu_short")
        }
        trace.add(.bargeIn(cause: .dtmf, id: "main_menu_short", playID: "p9", intent: nil, confidence: nil), after: 500)
        trace.key("1", intent: "balance", after: 0)
        trace.enter("balance", after: 0)
        var report = FunnelReport()
        report.add(events: trace.events, outcome: nil)
        report.add(events: Self.selfServedBalance(), outcome: .selfServed)
        let greeting = report.nodesByName["greeting"]
        #expect(greeting?.bargedIn == 1, "callers, not events")
        #expect(greeting?.falseBargeIn == 1)
        #expect(greeting?.entered == 2)
        var window = FunnelWindow(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 86_400))
        window.funnel = report
        let html = ConsoleFunnelPage.body(window)
        #expect(html.contains(#"<td class="num bargein">1</td><td class="num falsebargein">1</td>"#))
    }

    @Test func worstNodesComeFirst() {
        let nodes = report().nodes
        #expect(nodes.first?.name == "greeting")
        #expect(nodes.map(\.failureRate) == nodes.map(\.failureRate).sorted(by: >))
        #expect(FunnelReport.isProblem(nodes[0]))
        #expect(!nodes.dropFirst().contains { FunnelReport.isProblem($0) })
    }

    @Test func aCallerCountsOnceEvenWhenEnteringANodeTwice() {
        var trace = Trace()
        trace.enter("main_menu"); trace.add(.noInput(count: 1), after: 5000)
        trace.key("4", intent: "bill")
        trace.enter("bill", after: 0); trace.enter("anything_else")
        trace.add(.intent(name: "yes", confidence: 0.9, source: .speech))
        trace.enter("main_menu"); trace.add(.noInput(count: 1), after: 5000)
        trace.add(.hangup(by: "caller", outcome: .abandoned))
        var report = FunnelReport()
        report.add(events: trace.events, outcome: .abandoned)
        let menu = report.nodesByName["main_menu"]
        #expect(menu?.entered == 1 && menu?.noInput == 1 && menu?.hungUp == 1 && menu?.succeeded == 0)
    }

    @Test func aCallWithoutAHangupStillInANodeIsAFailureThere() {
        var trace = Trace()
        trace.enter("greeting"); trace.prompt("greeting")
        var report = FunnelReport()
        report.add(events: trace.events, outcome: nil)   // running
        #expect(report.nodesByName["greeting"]?.succeeded == 0)
        #expect(report.nodesByName["greeting"]?.hungUp == 0)
        report.add(events: trace.events, outcome: .failed)   // media lost: no hangup event
        #expect(report.nodesByName["greeting"]?.hungUp == 1)
    }

    @Test func containmentIsSelfServedOverFinishedCalls() {
        var containment = ContainmentReport()
        #expect(containment.rate == nil)
        for outcome: RecordedOutcome? in [.selfServed, .selfServed, .selfServed, .transferred, nil] {
            containment.add(outcome: outcome)
        }
        #expect(containment.finished == 4 && containment.selfServed == 3 && containment.running == 1)
        #expect(containment.rate == 0.75)
    }

    @Test func latencyRunsFromInputToTheNextPromptStart() {
        #expect(ResponseLatency.samples(Self.selfServedBalance()) == [320, 120])  // the lookup is included
        // A reprompt after silence is not a response; the no-match and the key are.
        #expect(ResponseLatency.samples(Self.silentThenAgent()) == [200, 50])
        var distribution = LatencyDistribution()
        distribution.add([300, 120, 200, 50, 40, 2500])
        #expect(distribution.count == 6)
        #expect(distribution.counts[0] == 1 && distribution.counts[1] == 1 && distribution.counts[2] == 1)
        #expect(distribution.percentile(0.5) == 120)
        #expect(distribution.percentile(0.95) == 2500)
        #expect(LatencyDistribution().percentile(0.5) == nil)
    }
}
