import Testing
import VoiceGateDialog

/// Golden traces of the self-service flows, driven with a manual clock.
@Suite struct SelfServiceTraceTests {
    @Test func balanceWithIdentification() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")                 // barges the greeting
        call.finishPrompt()
        call.press("1234")
        call.finishPrompt()
        call.press("5678#")
        call.answer(.identity(verified: true, accountRef: "acct-7"))
        call.answer(.balance(minorUnits: 123456, currency: "USD"))
        call.finishPrompt()
        call.say("no")                  // "anything else?" -> no, barges it
        call.finishPrompt()

        #expect(call.golden == [
            "lookup customer_profile sent", "lookup customer_profile known",
            "node greeting", "prompt greeting en started",
            "prompt greeting en barged", "bargein dtmf greeting", "dtmf 1", "intent balance dtmf",
            "node balance", "node identify_account", "prompt identify_account en started",
            "prompt identify_account en finished",
            "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf * masked",
            "node identify_pin", "prompt identify_pin en started", "prompt identify_pin en finished",
            "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf # masked",
            "node identify_check", "lookup verify_identity sent", "lookup verify_identity verified",
            "node balance", "lookup balance sent", "lookup balance balance",
            "node say_balance", "prompt balance_is en started", "prompt balance_is en finished",
            "node anything_else", "prompt anything_else en started",
            "intent no speech", "prompt anything_else en barged", "bargein keyword anything_else",
            "node goodbye", "prompt goodbye en started", "prompt goodbye en finished",
            "hangup ivr self_served",
        ])
        #expect(call.requests == [
            .customerProfile(callerNumber: "+15550100"),
            .verifyIdentity(callerNumber: "+15550100", last4: "1234", pin: "5678"),
            .balance(accountRef: "acct-7"),
        ])
        let balancePlay = call.plays.first { $0.segments.first == .prompt("balance_is") }
        #expect(balancePlay?.segments == [.prompt("balance_is"), .currency(minorUnits: 123456, code: "USD")])
        #expect(call.state.outcome == .selfServed)
        #expect(call.actions.last == .record(call.traces.last!))
        #expect(call.actions.contains(.hangUp))
    }

    @Test func cardLossWithConfirmationNumberReadDigitByDigit() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.say("card", phrase: "lost my card")   // "uh I think I lost my card"
        call.finishPrompt()
        call.press("4321")
        #expect(call.state.node == "card_confirm")
        #expect(call.playing?.segments == [.prompt("card_confirm"), .digits("4321"), .prompt("card_confirm_question")])
        call.finishPrompt()
        call.press("1")                             // yes
        // Identification skips the card digits already given and asks only for the PIN.
        #expect(call.state.node == "identify_pin")
        call.finishPrompt()
        call.press("9999#")
        call.answer(.identity(verified: true, accountRef: "acct-9"))
        call.answer(.cardBlocked(confirmation: "80412"))
        #expect(call.playing?.segments == [.prompt("card_blocked"), .digits("80412"), .prompt("card_blocked_end")])
        call.finishPrompt()

        #expect(call.golden == [
            "lookup customer_profile sent", "lookup customer_profile known",
            "node greeting", "prompt greeting en started",
            "intent card speech", "prompt greeting en barged", "bargein keyword greeting",
            "node card_last4", "prompt card_last4 en started", "prompt card_last4 en finished",
            "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf * masked",
            "node card_confirm", "prompt card_confirm en started", "prompt card_confirm en finished",
            "dtmf 1", "intent yes dtmf",
            "node card_block", "node identify_account", "node identify_pin",
            "prompt identify_pin en started", "prompt identify_pin en finished",
            "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf * masked", "dtmf # masked",
            "node identify_check", "lookup verify_identity sent", "lookup verify_identity verified",
            "node card_block", "lookup block_card sent", "lookup block_card card_blocked",
            "node say_card_blocked", "prompt card_blocked en started", "prompt card_blocked en finished",
            "node anything_else", "prompt anything_else en started",
        ])
        #expect(call.requests.last == .blockCard(accountRef: "acct-9", last4: "4321"))
    }

    @Test func billSaysAmountAndDueDate() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.say("bill", phrase: "credit card bill")
        call.press("1234")
        call.press("5678#")
        call.answer(.identity(verified: true, accountRef: "acct-1"))
        call.answer(.statement(amountDueMinor: 4250, currency: "USD", dueYear: 2026, dueMonth: 12, dueDay: 5))
        #expect(call.state.node == "say_bill")
        #expect(call.playing?.segments == [.prompt("bill_amount_due"), .currency(minorUnits: 4250, code: "USD"),
                                           .prompt("bill_due_date"), .date(year: 2026, month: 12, day: 5)])
    }

    @Test func backendTimeoutApologisesAndOffersAnAgent() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("1")
        call.press("1234")
        call.press("5678#")
        call.answer(.identity(verified: true, accountRef: "acct-1"))
        let asked = call.now
        // The backend never answers: after backend_timeout_ms the caller hears an apology.
        call.advance(3999)
        #expect(call.state.node == "balance")
        call.advance(1)
        #expect(call.state.node == "backend_failure")
        #expect(call.now - asked == 4000)
        #expect(call.playing?.segments == [.prompt("backend_failure")])
        #expect(Array(call.golden.suffix(3)) == ["lookup balance timeout", "node backend_failure",
                                                 "prompt backend_failure en started"])
        // A late answer is ignored; "yes" takes the agent offer.
        call.answer(.balance(minorUnits: 1, currency: "USD"))
        #expect(call.state.node == "backend_failure")
        call.finishPrompt()
        call.press("1")
        call.finishPrompt()
        #expect(call.transfer?.queue == "agents")
        #expect(call.transfer?.context.verified == true)
    }

    @Test func backendFailureResultGoesToApology() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("4")
        call.press("1234")
        call.press("5678#")
        call.answer(.failure(reason: "unreachable"))
        #expect(call.state.node == "backend_failure")
        #expect(call.playing != nil)
        #expect(call.golden.contains("lookup verify_identity failure"))
    }
}
