import Foundation
import Testing
import VoiceGateDialog

/// Language switching, type-ahead, assisted callers, repeat and navigation, masking.
@Suite struct CallerExperienceTests {
    @Test func key9SwitchesToMandarin() throws {
        var call = CallSimulator(menu: try shippedMenu())
        #expect(call.playing?.language == .en)
        call.press("9")
        #expect(call.state.language == .zh)
        #expect(call.state.node == "main_menu")
        #expect(call.playing?.language == .zh)
        #expect(call.golden.suffix(2) == ["node main_menu", "prompt main_menu zh started"])
        call.finishPrompt()
        call.press("1")
        #expect(call.playing?.language == .zh)   // identification prompts in Mandarin too
        #expect(call.golden.last == "prompt identify_account zh started")
    }

    @Test func sayingChineseSwitchesToMandarin() throws {
        var call = CallSimulator(menu: try shippedMenu())
        let engine = DialogEngine(menu: try shippedMenu())
        let expected = engine.expectedIntents(in: call.state)
        #expect(expected.first { $0.intent == "language_zh" }?.phrases.contains("中文") == true)
        call.say("language_zh", phrase: "中文")
        #expect(call.state.language == .zh)
        #expect(call.plays.last?.language == .zh)
        #expect(engine.expectedIntents(in: call.state).first { $0.intent == "balance" }?.phrases.first == "余额")
    }

    @Test func typeAheadFlowsAcrossNodes() throws {
        var call = CallSimulator(menu: try shippedMenu())
        // A regular caller types everything during the greeting: 1, last four, PIN, #.
        call.press("11234567 8#".replacingOccurrences(of: " ", with: ""), gap: 150)
        #expect(call.requests.last == .verifyIdentity(callerNumber: "+15550100", last4: "1234", pin: "5678"))
        // Each identification prompt is cut by the first digit meant for it: none plays to the end.
        #expect(call.golden.filter { $0.hasPrefix("prompt identify") } == [
            "prompt identify_account en started", "prompt identify_account en barged",
            "prompt identify_pin en started", "prompt identify_pin en barged",
        ])
        #expect(call.golden.filter { $0.hasPrefix("dtmf") }.count == 10)
    }

    @Test func aTerminatorAfterAFullEntryIsNotInputForTheNextNode() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")
        call.press("1234#")                   // a 4-digit field: the # is a habit, not an answer
        #expect(call.state.node == "identify_pin")
        #expect(call.golden.last == "prompt identify_pin en started", "the PIN prompt is not barged by the #")
        #expect(!call.golden.contains { $0.hasPrefix("nomatch") })
        call.press("5678#")
        #expect(call.requests.last == .verifyIdentity(callerNumber: "+15550100", last4: "1234", pin: "5678"))
    }

    @Test func aTerminatorLongAfterAFullEntryIsInputAgain() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")
        call.press("1234")
        call.finishPrompt(after: 4000)        // later than the inter-digit time: a deliberate key
        call.press("#")
        #expect(call.golden.contains { $0.hasPrefix("nomatch") }, "an empty PIN entry is a no-match")
    }

    @Test func typeAheadDuringALookupIsKeptForTheNextNode() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")
        call.press("1234")
        call.press("5678#")
        call.press("2")                       // typed while the bank is checking
        call.answer(.identity(verified: true, accountRef: "acct-1"))
        call.answer(.balance(minorUnits: 500, currency: "USD"))
        call.press("1")                       // barges the balance: goes on to "anything else?"
        // "2" was kept: it answers "anything else?" with no once that node is reached.
        #expect(call.state.node == "goodbye")
        #expect(call.golden.contains("prompt balance_is en barged"))
    }

    @Test func assistedCallerGetsSlowPromptsKeysFirstAndAnAgentOffer() throws {
        var call = CallSimulator(menu: try shippedMenu(), profile: .profile(known: true, assisted: true))
        #expect(call.state.assisted)
        let greeting = try #require(call.playing)
        #expect(greeting.segments == [.prompt("greeting_assisted")])
        #expect(greeting.slow)
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Prompts/en/prompts.yaml"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").firstIndex { $0.hasPrefix("greeting_assisted:") })
        let body = text.split(separator: "\n")[line...].prefix(4).joined(separator: " ")
        #expect(body.range(of: "Press 1")!.lowerBound < body.range(of: "tell me")!.lowerBound)  // keys first
        #expect(body.contains("press 0"))                                                       // agent offered
        call.finishPrompt()
        call.advance(5000)
        #expect(call.playing?.slow == true)
        let regular = CallSimulator(menu: try shippedMenu())
        #expect(regular.playing?.slow == false)
        #expect(regular.playing?.segments == [.prompt("greeting")])
    }

    @Test func profileTimeoutStillGreets() throws {
        var call = CallSimulator(menu: try shippedMenu(), profile: nil)
        #expect(call.playing == nil)
        call.advance(1500)
        #expect(call.playing?.segments == [.prompt("greeting")])
        #expect(call.golden.contains("lookup customer_profile timeout"))
    }

    @Test func repeatReplaysAndHashGoesToTheMainMenu() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt()
        call.press("*")
        #expect(call.playing?.segments == [.prompt("greeting")])
        call.finishPrompt()
        call.say("repeat", phrase: "say that again")
        #expect(call.plays.filter { $0.segments == [.prompt("greeting")] }.count == 3)
        call.finishPrompt()
        call.press("#")
        #expect(call.state.node == "main_menu")
        call.finishPrompt()
        call.say("main_menu", phrase: "go back")
        #expect(call.golden.filter { $0 == "node main_menu" }.count == 2)
    }

    @Test func noMatchSpeechDuringAPromptDoesNotBarge() throws {
        var call = CallSimulator(menu: try shippedMenu())
        let id = try #require(call.playing?.id)
        call.send(.noMatch(loud: false))
        call.send(.intent(name: "yes", confidence: 0.8, source: .speech, phrase: "yeah"))  // not a choice here
        #expect(call.playing?.id == id)
        #expect(!call.actions.contains(.stopPlayback(playID: id)))
    }

    @Test func staleTimersAreIgnored() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt()
        let stale = try #require(call.timers.keys.first)
        call.press("1")
        call.send(.timerFired(stale))         // fired after it was cancelled
        #expect(!call.golden.contains { $0.hasPrefix("noinput") })
    }

    @Test func maskedDigitsAppearNowhereInTheTrace() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("3")
        call.press("8642")                     // card last four
        call.press("1")
        call.press("97531#")                   // PIN
        call.answer(.identity(verified: false, accountRef: nil))
        call.finishPrompt()
        call.press("8642")
        call.press("97531#")
        call.answer(.identity(verified: true, accountRef: "acct-3"))
        call.answer(.cardBlocked(confirmation: "55501"))
        call.say("agent")                      // barges the confirmation number
        call.finishPrompt()
        #expect(call.transfer != nil)          // the context is in the trace too
        let json = call.traceJSON
        for secret in ["8642", "97531", "9753", "7531"] {
            #expect(!json.contains(secret), "trace leaks \(secret)")
        }
        #expect(json.contains("\"digit\":\"*\""))
        #expect(json.contains("\"masked\":true"))
        #expect(String(describing: call.state).contains("97531") == false)
        #expect(String(reflecting: call.state).contains("8642") == false)
        // The digits went only where they must: the bank request.
        #expect(call.requests.contains(.verifyIdentity(callerNumber: "+15550100", last4: "8642", pin: "97531")))
    }
}
