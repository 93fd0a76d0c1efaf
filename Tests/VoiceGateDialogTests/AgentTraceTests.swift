import Testing
import VoiceGateDialog

/// Golden traces of the ways a call reaches a person.
@Suite struct AgentTraceTests {
    @Test func transferStartsTheAntiFraudWarningWhichCannotBeBarged() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.say("transfer", phrase: "transfer money")
        #expect(call.state.node == "transfer_warning")
        let warning = try #require(call.playing)
        #expect(warning.segments == [.prompt("fraud_warning")])
        #expect(warning.bargeIn == false)
        call.press("1234")                 // typed during the warning: kept, not barging
        call.say("agent")                  // heard during the warning: handled after it
        #expect(call.playing?.id == warning.id)
        #expect(!call.actions.contains(.stopPlayback(playID: warning.id)))
        call.finishPrompt(after: 8000)
        // After the warning: identification consumes the typed digits (prompt skipped),
        // then the buffered "agent" goes to the agent.
        #expect(call.golden == [
            "lookup customer_profile sent", "lookup customer_profile known",
            "node greeting", "prompt greeting en started",
            "intent transfer speech", "prompt greeting en barged", "bargein keyword greeting",
            "node transfer_warning", "prompt fraud_warning en started",
            "intent agent speech",
            "prompt fraud_warning en finished",
            "node transfer_guide", "node identify_account",
            "dtmf * masked typeahead", "dtmf * masked typeahead", "dtmf * masked typeahead", "dtmf * masked typeahead",
            "node identify_pin", "node agent", "prompt transfer_hold en started",
        ])
        call.finishPrompt()
        #expect(call.transfer?.reason == "agent_request")
        #expect(call.transfer?.context.maskedFields == ["last4": "****"])
    }

    @Test func transferGuidanceOffersAnAgentAfterIdentification() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("2")
        call.finishPrompt(after: 8000)
        call.press("1234")
        call.press("5678#")
        call.answer(.identity(verified: true, accountRef: "acct-1"))
        #expect(call.state.node == "transfer_guide")
        call.finishPrompt()
        call.press("1")
        call.finishPrompt()
        let transfer = try #require(call.transfer)
        #expect(transfer.reason == "transfer_assist")
        #expect(transfer.context.verified)
        #expect(transfer.context.intentPath.map(\.node).prefix(3) == ["greeting", "transfer_warning", "transfer_guide"])
    }

    @Test func loanGoesToAnAgent() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt()
        call.press("5")
        call.finishPrompt()
        #expect(Array(call.golden.suffix(7)) == [
            "dtmf 5", "intent loan dtmf", "node loan", "prompt loan_transfer en started",
            "prompt loan_transfer en finished", "transfer agents loan 0", "hangup transfer transferred",
        ])
        #expect(call.state.outcome == .transferred)
    }

    @Test func complaintGoesToThePriorityQueue() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.say("complaint", phrase: "file a complaint")
        call.finishPrompt()
        let transfer = try #require(call.transfer)
        #expect(transfer.queue == "agents_priority")
        #expect(transfer.priority == 1)
        #expect(transfer.reason == "complaint")
    }

    @Test func threeNoInputsEscalateToAnAgentWithContext() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt(after: 6000)
        let greetingEnd = call.now
        call.advance(4999)
        #expect(!call.golden.contains("noinput 1 @greeting"))
        call.advance(1)                           // the timer runs from the prompt's end
        #expect(call.golden.last == "prompt main_menu_short en started")
        #expect(call.playing?.segments == [.prompt("sorry_noinput"), .prompt("main_menu_short")])
        #expect(call.now - greetingEnd == 5000)
        call.finishPrompt()
        call.advance(5000)
        #expect(call.playing?.segments == [.prompt("sorry_noinput"), .prompt("main_menu_full")])
        call.finishPrompt()
        call.advance(5000)
        call.finishPrompt()

        let noInputs = call.golden.filter { $0.hasPrefix("noinput") }
        #expect(noInputs == ["noinput 1 @greeting", "noinput 2 @greeting", "noinput 3 @greeting"])
        let transfer = try #require(call.transfer)
        #expect(transfer.reason == "max_failures")
        #expect(transfer.queue == "agents")
        #expect(transfer.context.failureCounts["greeting"] == .init(noinput: 3, nomatch: 0))
        #expect(transfer.context.ani == "+15550100")
        #expect(transfer.context.callID == "call-1")
        #expect(transfer.context.timeInIVRMs == call.now)
        #expect(transfer.context.frustration == false)
    }

    @Test func noMatchesEscalateTheSameWay() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt()
        call.press("7")
        #expect(call.playing?.segments == [.prompt("sorry_nomatch"), .prompt("main_menu_short")])
        call.finishPrompt()
        call.send(.noMatch(loud: false))
        #expect(call.playing?.segments == [.prompt("sorry_nomatch"), .prompt("main_menu_full")])
        call.finishPrompt()
        call.press("8")
        call.finishPrompt()
        #expect(call.transfer?.reason == "max_failures")
        #expect(call.transfer?.context.failureCounts["greeting"] == .init(noinput: 0, nomatch: 3))
    }

    @Test func threeWrongPINsGoToAnAgent() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")
        for attempt in 1...3 {
            call.press("1234")
            call.press("0000#")
            call.answer(.identity(verified: false, accountRef: nil))
            if attempt < 3 {
                #expect(call.state.node == "identify_retry")
                call.finishPrompt()
                #expect(call.state.node == "identify_account")
            }
        }
        #expect(call.state.node == "agent")
        call.finishPrompt()
        let transfer = try #require(call.transfer)
        #expect(transfer.reason == "identification_failed")
        #expect(transfer.context.identificationFailures == 3)
        #expect(transfer.context.verified == false)
        #expect(call.golden.filter { $0 == "lookup verify_identity rejected" }.count == 3)
    }

    @Test func loudNoMatchesCountAsFrustration() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.finishPrompt()
        call.send(.noMatch(loud: false))
        call.finishPrompt()
        call.send(.noMatch(loud: true))
        #expect(call.state.node == "agent")
        call.finishPrompt()
        #expect(call.transfer?.reason == "frustration")
        #expect(call.transfer?.context.frustration == true)
    }

    @Test func askingForAnAgentTwiceSetsTheFrustrationFlag() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.say("agent")
        call.say("agent", phrase: "speak to a person")   // during the hold prompt
        call.finishPrompt()
        #expect(call.transfer?.reason == "agent_request")
        #expect(call.transfer?.context.frustration == true)
        #expect(call.transfer?.context.keywords.map(\.phrase) == ["agent", "speak to a person"])
    }

    @Test func oneAgentRequestIsNotFrustration() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("0")
        call.finishPrompt()
        #expect(call.transfer?.context.frustration == false)
    }
}
