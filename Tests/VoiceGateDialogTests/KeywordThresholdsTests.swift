import Foundation
import Testing
import VoiceGateDialog

/// Per-phrase keyword thresholds in the menu (`thresholds:` of an intent): loaded, checked
/// with line and reason, handed to the spotter with the node's expected intents, and written
/// back by `MenuThresholdEditor` as a minimal change.
@Suite struct KeywordThresholdsTests {
    typealias Base = MenuValidationTests

    /// The base menu with a `thresholds:` line (line 10) in intent 'balance'.
    static func withThresholds(_ line: String) -> String {
        Base.yaml(replacing: [9: "    zh: [余额]\n" + line])
    }

    @Test func thresholdsLoadAndReachTheExpectedIntents() throws {
        let yaml = Self.withThresholds("    thresholds: {en: {balance: 0.35}, zh: {余额: 0.6}}")
        let menu = try MenuLoader.load(yaml: yaml, file: "menu.yaml").get()
        #expect(menu.intent("balance")?.thresholds == [.en: ["balance": 0.35], .zh: ["余额": 0.6]])
        let engine = DialogEngine(menu: menu, options: .init(lookUpProfile: false))
        let (state, _) = engine.start(call: CallInfo(callID: "c", callerNumber: "", calledNumber: ""), atMs: 0)
        let expected = engine.expectedIntents(in: state)
        #expect(expected.first { $0.intent == "balance" }?.thresholds == ["balance": 0.35])
        #expect(expected.first { $0.intent == "agent" }?.thresholds == [:])
        #expect(menu.everyIntent(in: .zh).first { $0.intent == "balance" }?.thresholds == ["余额": 0.6])
    }

    @Test func badThresholdsAreRejectedWithLineAndReason() {
        #expect(Base.problems(Self.withThresholds("    thresholds: {en: {balance: 1.5}}")) == [
            "menu.yaml:10:32: threshold of 'balance' must be a number between 0 and 1, exclusive (got '1.5')",
        ])
        #expect(Base.problems(Self.withThresholds("    thresholds: {en: {balance: 0}}")) == [
            "menu.yaml:10:32: threshold of 'balance' must be a number between 0 and 1, exclusive (got '0')",
        ])
        #expect(Base.problems(Self.withThresholds("    thresholds: {en: {balance: high}}")) == [
            "menu.yaml:10:32: threshold of 'balance' must be a number between 0 and 1, exclusive (got 'high')",
        ])
        #expect(Base.problems(Self.withThresholds("    thresholds: {en: {balanse: 0.5}}")) == [
            "menu.yaml:10:23: threshold for 'balanse', which is not a en phrase of intent 'balance'",
        ])
        #expect(Base.problems(Self.withThresholds("    thresholds: {fr: {balance: 0.5}}")) == [
            "menu.yaml:10:18: unknown language 'fr' in thresholds of 'balance'",
        ])
        #expect(Base.problems(Self.withThresholds("    thresholds: 0.5")) == [
            "menu.yaml:10:17: thresholds of 'balance' must be a mapping",
        ])
    }

    @Test func theEditorAddsOneLinePerIntentAndKeepsEverythingElse() throws {
        let original = Base.yaml(replacing: [8: "    en: [balance]      # said most", 11: "    en: [agent]\n\n    # Mandarin"])
        let edited = try MenuThresholdEditor.apply(["balance": [.en: ["balance": 0.35]], "agent": [.en: ["agent": 0.5]]],
                                                   to: original, file: "menu.yaml").get()
        var expectedLines = original.components(separatedBy: "\n")
        expectedLines.insert("    thresholds: {en: {\"balance\": 0.35}}", at: 9)
        expectedLines.insert("    thresholds: {en: {\"agent\": 0.50}}", at: 15)
        #expect(edited == expectedLines.joined(separator: "\n"), "\(edited)")
        let menu = try MenuLoader.load(yaml: edited, file: "menu.yaml").get()
        #expect(menu.intent("agent")?.thresholds == [.en: ["agent": 0.5]])

        // A second run replaces the line (other languages kept) or removes it when nothing is left.
        let zh = edited.replacingOccurrences(of: "{en: {\"balance\": 0.35}}", with: "{en: {\"balance\": 0.35}, zh: {余额: 0.7}}")
        let again = try MenuThresholdEditor.apply(["balance": [.en: ["balance": 0.45]], "agent": [.en: [:]]],
                                                  to: zh, file: "menu.yaml").get()
        #expect(again == original.replacingOccurrences(of: "    zh: [余额]\n", with: "    zh: [余额]\n    thresholds: {en: {\"balance\": 0.45}, zh: {\"余额\": 0.70}}\n"),
                "\(again)")
    }

    @Test func theEditorRefusesAnIntentOnOneLine() {
        let oneLine = Base.yaml(replacing: [7: "  balance: {en: [balance], zh: [余额]}", 8: "", 9: ""])
        let result = MenuThresholdEditor.apply(["balance": [.en: ["balance": 0.3]]], to: oneLine, file: "menu.yaml")
        guard case .failure(let problems) = result else { Issue.record("edited a one-line intent"); return }
        #expect(problems.description.hasPrefix("menu.yaml:7:3: intent 'balance' is not written as a block"))
    }
}
