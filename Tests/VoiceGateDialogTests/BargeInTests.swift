import Foundation
import Testing
import VoiceGateDialog

/// Barge-in rules of the engine: keyword and key barge-in, energy barge-in per node (off by
/// default), and the barge-in / false barge-in events the ops console counts.
@Suite struct BargeInTests {
    /// A menu with one energy node (`quick`) and one default node (`main_menu`); line numbers
    /// in comments, for the loader tests.
    static let lines = [
        "name: barge",                                               // 1
        "start: main_menu",                                          // 2
        "intents:",                                                  // 3
        "  balance: {en: [balance]}",                                // 4
        "  card: {en: [card]}",                                      // 5
        "nodes:",                                                    // 6
        "  main_menu:",                                              // 7
        "    type: menu",                                            // 8
        "    prompt: main_menu",                                     // 9
        "    choices:",                                              // 10
        "      - {intent: balance, dtmf: \"1\", next: quick}",        // 11
        "  quick:",                                                  // 12
        "    type: menu",                                            // 13
        "    prompt: quick_menu",                                    // 14
        "    barge_in_energy: true",                                 // 15
        "    choices:",                                              // 16
        "      - {intent: card, dtmf: \"2\", next: bye}",             // 17
        "  bye:",                                                    // 18
        "    type: hangup",                                          // 19
        "    prompt: goodbye",                                       // 20
        "  agent:",                                                  // 21
        "    type: transfer",                                        // 22
        "    prompt: transfer_hold",                                 // 23
        "    queue: agents",                                         // 24
        "    reason: agent_request",                                 // 25
    ]

    static func yaml(replacing changes: [Int: String] = [:]) -> String {
        var copy = lines
        for (line, text) in changes { copy[line - 1] = text }
        return copy.joined(separator: "\n") + "\n"
    }

    static func problems(_ yaml: String) -> [String] {
        switch MenuLoader.load(yaml: yaml, file: "menu.yaml") {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    static func menu() throws -> Menu { try MenuLoader.load(yaml: yaml(), file: "menu.yaml").get() }

    /// A call already in the energy node `quick`, its prompt playing.
    static func callInQuick() throws -> CallSimulator {
        var call = CallSimulator(menu: try menu())
        call.press("1")
        #expect(call.state.node == "quick")
        #expect(call.playing != nil)
        return call
    }

    // MARK: Loading

    @Test func energyBargeInIsOffUnlessANodeAsksForIt() throws {
        let menu = try Self.menu()
        #expect(menu.nodes["quick"]?.bargeInEnergy == true)
        #expect(menu.nodes["main_menu"]?.bargeInEnergy == false)
        #expect(menu.nodes["main_menu"]?.bargeIn == true)
    }

    @Test func energyBargeInOnANodeThatDoesNotListenIsAnError() {
        let yaml = Self.yaml(replacing: [20: "    prompt: goodbye\n    barge_in_energy: true"])
        #expect(Self.problems(yaml) == [
            "menu.yaml:21:22: barge_in_energy applies only to menu, confirm and collect nodes (hangup node 'bye' does not listen)",
        ])
    }

    @Test func energyBargeInNeedsBargeableprompts() {
        let yaml = Self.yaml(replacing: [14: "    prompt: quick_menu\n    barge_in: false"])
        #expect(Self.problems(yaml) == [
            "menu.yaml:16:22: barge_in_energy needs barge_in (the prompts of node 'quick' cannot be interrupted)",
        ])
    }

    @Test func energyBargeInMustBeABoolean() {
        #expect(Self.problems(Self.yaml(replacing: [15: "    barge_in_energy: sometimes"])) == [
            "menu.yaml:15:22: barge_in_energy must be true or false",
        ])
    }

    // MARK: Energy

    @Test func speechAloneDoesNotBargeByDefault() throws {
        var call = CallSimulator(menu: try Self.menu())
        let greeting = try #require(call.playing?.id)
        call.advance(300)
        call.send(.speechStarted)             // a cough, the TV, line noise
        #expect(call.playing?.id == greeting)
        call.advance(200)
        call.send(.speechEnded)
        call.send(.noMatch(loud: false))
        #expect(call.playing?.id == greeting, "unrecognised speech never cuts the prompt")
        #expect(!call.golden.contains { $0.hasPrefix("bargein") || $0.hasPrefix("false_bargein") || $0.hasPrefix("nomatch") })
    }

    @Test func speechOnsetBargesAnEnergyNodeAndANoMatchMakesItFalse() throws {
        var call = try Self.callInQuick()
        let quick = try #require(call.playing?.id)
        call.advance(300)
        call.send(.speechStarted)
        #expect(call.playing == nil, "the onset alone stops the prompt")
        #expect(call.golden.suffix(2) == ["prompt quick_menu en barged", "bargein energy quick_menu"])
        call.advance(700)
        call.send(.speechEnded)
        call.send(.noMatch(loud: false))
        #expect(call.golden.suffix(5) == [
            "prompt quick_menu en barged", "bargein energy quick_menu", "nomatch 1 @quick",
            "false_bargein energy quick_menu", "prompt quick_menu en started",  // the reprompt
        ])
        let falseBarge = try #require(call.traces.last { $0.type == "false_bargein" })
        #expect(falseBarge.jsonLine().contains(#""play":"\#(quick)""#), "names the prompt play it cut")
    }

    @Test func energyBargeInFollowedByAnIntentIsNotFalse() throws {
        var call = try Self.callInQuick()
        call.say("card")
        #expect(call.state.node == "bye")
        #expect(call.golden.contains("bargein energy quick_menu"))
        #expect(!call.golden.contains { $0.hasPrefix("false_bargein") })
        // The intent arrived after the prompt had stopped: no second barge-in for it.
        #expect(call.golden.filter { $0.hasPrefix("bargein") }.count == 2, "the key 1 and the energy: \(call.golden)")
    }

    @Test func energyBargeInWithNoIntentAtAllIsFalseAtTheNoInput() throws {
        var call = try Self.callInQuick()
        call.advance(300)
        call.send(.speechStarted)
        // The utterance ends without any result reaching the engine: silence follows.
        call.advance(600)
        call.send(.speechEnded)
        call.advance(10_000)
        #expect(call.golden.contains("noinput 1 @quick"))
        #expect(call.golden.contains("false_bargein energy quick_menu"))
    }

    @Test func energyDoesNotBargeAPromptThatIsNotPlaying() throws {
        var call = try Self.callInQuick()
        call.finishPrompt()
        call.send(.speechStarted)
        #expect(!call.golden.contains { $0.hasPrefix("bargein energy") })
    }

    // MARK: Keys and keywords

    @Test func everyBargeInNamesItsCause() throws {
        var call = CallSimulator(menu: try Self.menu())
        call.press("1")                                    // key barges main_menu
        call.say("card", phrase: "card", confidence: 0.83)  // energy barges quick_menu first
        let events = call.traces.filter { $0.type == "bargein" }
        #expect(events.map { $0.jsonLine().contains(#""cause":"dtmf""#) } == [true, false])
        #expect(events.last?.jsonLine().contains(#""cause":"energy""#) == true)

        // The shipped menu has no energy node: a keyword barges, with its intent and confidence.
        var shipped = CallSimulator(menu: try shippedMenu())
        shipped.say("card", phrase: "lost my card", confidence: 0.83)
        let keyword = try #require(shipped.traces.first { $0.type == "bargein" })
        guard case let .bargeIn(cause, id, _, intent, confidence) = keyword.detail else { Issue.record("not a barge-in"); return }
        #expect(cause == .keyword)
        #expect(id == "greeting")
        #expect(intent == "card")
        #expect(confidence == 0.83)
    }

    @Test func aKeyThatMatchesNothingIsAFalseBargeIn() throws {
        var call = CallSimulator(menu: try Self.menu())
        call.press("7")                                   // not a choice of main_menu
        #expect(call.golden.suffix(6) == [
            "prompt main_menu en barged", "bargein dtmf main_menu", "dtmf 7", "nomatch 1 @main_menu",
            "false_bargein dtmf main_menu", "prompt main_menu en started",
        ])
        call.finishPrompt()
        call.press("1")                                   // a good key after that is not false
        #expect(call.golden.filter { $0.hasPrefix("false_bargein") }.count == 1)
    }

    @Test func aKeyAfterAnsweredInputIsNotCountedTwice() throws {
        var call = try Self.callInQuick()
        call.finishPrompt()
        call.press("7")                                   // no prompt plays: a no-match, no barge-in
        #expect(call.golden.contains("nomatch 1 @quick"))
        #expect(!call.golden.contains { $0.hasPrefix("false_bargein") })
    }

    // MARK: Trace lines

    @Test func bargeInLinesHaveStableKeysAndRoundTrip() throws {
        let events: [TraceEvent] = [
            TraceEvent(atMs: 1200, node: "greeting", .bargeIn(cause: .keyword, id: "greeting", playID: "p1", intent: "card", confidence: 0.875)),
            TraceEvent(atMs: 1300, node: "quick", .bargeIn(cause: .energy, id: "quick_menu", playID: "p2", intent: nil, confidence: nil)),
            TraceEvent(atMs: 2300, node: "quick", .falseBargeIn(cause: .energy, id: "quick_menu", playID: "p2")),
        ]
        let lines = events.map { $0.jsonLine() }
        #expect(lines[0] == #"{"t":1.200,"type":"bargein","node":"greeting","cause":"keyword","id":"greeting","play":"p1","name":"card","confidence":0.875}"#)
        #expect(lines[1] == #"{"t":1.300,"type":"bargein","node":"quick","cause":"energy","id":"quick_menu","play":"p2"}"#)
        #expect(lines[2] == #"{"t":2.300,"type":"false_bargein","node":"quick","cause":"energy","id":"quick_menu","play":"p2"}"#)
        for (line, event) in zip(lines, events) {
            #expect(try JSONDecoder().decode(TraceEvent.self, from: Data(line.utf8)) == event)
            #expect(try JSONDecoder().decode(TraceEvent.self, from: JSONEncoder().encode(event)) == event)
        }
    }
}
