import Foundation
import Testing
import VoiceGateDialog

/// Loader and validator: every problem with its exact `file:line:column`, and nothing
/// half-loaded.
@Suite struct MenuValidationTests {
    /// A small valid menu; tests break one line at a time (line numbers in comments).
    static let baseLines = [
        "name: test",                                          // 1
        "languages: [en, zh]",                                 // 2
        "start: main_menu",                                    // 3
        "defaults:",                                           // 4
        "  agent: agent",                                      // 5
        "intents:",                                            // 6
        "  balance:",                                          // 7
        "    en: [balance]",                                   // 8
        "    zh: [余额]",                                       // 9
        "  agent:",                                            // 10
        "    en: [agent]",                                     // 11
        "    zh: [人工]",                                       // 12
        "global:",                                             // 13
        "  - {intent: agent, dtmf: \"0\", next: agent}",       // 14
        "nodes:",                                              // 15
        "  main_menu:",                                        // 16
        "    type: menu",                                      // 17
        "    prompt: main_menu",                               // 18
        "    choices:",                                        // 19
        "      - {intent: balance, dtmf: \"1\", next: say_balance}",  // 20
        "  say_balance:",                                      // 21
        "    type: say",                                       // 22
        "    prompt: balance_is",                              // 23
        "    next: main_menu",                                 // 24
        "  agent:",                                            // 25
        "    type: transfer",                                  // 26
        "    prompt: transfer_hold",                           // 27
        "    queue: agents",                                   // 28
        "    reason: agent_request",                           // 29
    ]

    static let allPrompts: Set<String> = ["main_menu", "balance_is", "transfer_hold", "sorry_nomatch", "sorry_noinput"]

    /// The base menu with `line` (1-based) replaced, or lines appended.
    static func yaml(replacing changes: [Int: String] = [:], appending extra: [String] = []) -> String {
        var lines = baseLines
        for (line, text) in changes { lines[line - 1] = text }
        return (lines + extra).joined(separator: "\n") + "\n"
    }

    /// The problems of a menu text, as `file:line:column: message` strings.
    static func problems(_ yaml: String, prompts: [Language: Set<String>]? = [.en: allPrompts, .zh: allPrompts]) -> [String] {
        switch MenuLoader.load(yaml: yaml, file: "menu.yaml", promptIDs: prompts) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    @Test func baseMenuIsValid() {
        #expect(Self.problems(Self.yaml()) == [])
    }

    @Test func unknownNodeReference() {
        #expect(Self.problems(Self.yaml(replacing: [24: "    next: main_menux"])) == [
            "menu.yaml:24:11: unknown node 'main_menux'",
        ])
    }

    @Test func unreachableNode() {
        let yaml = Self.yaml(appending: ["  orphan:", "    type: hangup", "    prompt: transfer_hold"])
        #expect(Self.problems(yaml) == ["menu.yaml:30:3: node 'orphan' is unreachable"])
    }

    @Test func duplicateDTMFKey() {
        #expect(Self.problems(Self.yaml(replacing: [14: "  - {intent: agent, dtmf: \"1\", next: agent}"])) == [
            "menu.yaml:20:9: duplicate DTMF key '1' in node 'main_menu' ('balance' and 'agent')",
        ])
    }

    @Test func duplicatePhrase() {
        #expect(Self.problems(Self.yaml(replacing: [11: "    en: [agent, balance]"])) == [
            "menu.yaml:11:17: duplicate phrase 'balance' in node 'main_menu' (intents 'balance' and 'agent')",
        ])
    }

    @Test func promptMissingInMandarin() {
        let prompts: [Language: Set<String>] = [.en: Self.allPrompts, .zh: Self.allPrompts.subtracting(["balance_is"])]
        #expect(Self.problems(Self.yaml(), prompts: prompts) == ["menu.yaml:23:13: prompt 'balance_is' is missing in zh"])
    }

    @Test func intentWithoutARoute() {
        #expect(Self.problems(Self.yaml(replacing: [20: "      - {intent: balance, dtmf: \"1\"}"])) == [
            "menu.yaml:20:9: intent 'balance' has no route in node 'main_menu' (add 'next:' or 'action: repeat')",
        ])
        // An intent defined but routed nowhere.
        let unused = Self.yaml(replacing: [12: "    zh: [人工]\n  loan:\n    en: [loan]\n    zh: [贷款]"])
        #expect(Self.problems(unused) == ["menu.yaml:13:3: intent 'loan' has no route in any node"])
    }

    @Test func yamlSyntaxError() {
        #expect(Self.problems(Self.yaml(replacing: [23: "    prompt: balance_is: x"])) == [
            "menu.yaml:23:23: YAML syntax error: mapping values are not allowed in this context",
        ])
    }

    @Test func unknownNodeTypeAndField() {
        #expect(Self.problems(Self.yaml(replacing: [22: "    type: sya"])) == [
            "menu.yaml:22:11: unknown node type 'sya' (known: collect, confirm, hangup, lookup, menu, say, transfer)",
        ])
        #expect(Self.problems(Self.yaml(replacing: [24: "    nxt: main_menu"])) == [
            "menu.yaml:22:5: say node 'say_balance' needs 'next'",
            "menu.yaml:24:5: unknown field 'nxt' in say node 'say_balance'",
        ])
    }

    @Test func badValues() {
        #expect(Self.problems(Self.yaml(replacing: [5: "  noinput_ms: -5"])) == [
            "menu.yaml:5:15: defaults.noinput_ms must not be negative (got -5)",
        ])
        let collect = Self.yaml(replacing: [20: "      - {intent: balance, dtmf: \"1\", next: pin}"],
                                appending: ["  pin:", "    type: collect", "    prompt: main_menu", "    min_digits: 6",
                                            "    max_digits: 4", "    store: pin", "    next: say_balance"])
        #expect(Self.problems(collect) == ["menu.yaml:33:17: min_digits (6) is greater than max_digits (4)"])
    }

    @Test func aBadFileNeverHalfLoads() {
        let result = MenuLoader.load(yaml: Self.yaml(replacing: [24: "    next: nowhere"]), file: "menu.yaml")
        guard case .failure(let problems) = result else {
            Issue.record("a menu with a dangling reference loaded")
            return
        }
        #expect(!problems.problems.isEmpty)
    }

    @Test func shippedMenuAndPromptsValidateCleanly() throws {
        func read(_ path: String) throws -> String {
            try String(contentsOf: repoRoot.appendingPathComponent(path), encoding: .utf8)
        }
        var prompts: [ConfigCheck.PromptFile] = []
        for language in Language.allCases {
            let folder = repoRoot.appendingPathComponent("Prompts/\(language.rawValue)")
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".yaml") {
                prompts.append(.init(language: language, file: "Prompts/\(language.rawValue)/\(name)",
                                     text: try read("Prompts/\(language.rawValue)/\(name)")))
            }
        }
        let report = ConfigCheck.run(config: ("Config/voicegate.yaml", try read("Config/voicegate.yaml")),
                                     menu: ("Config/menu.yaml", try read("Config/menu.yaml")), prompts: prompts)
        #expect(report.problems.map(\.description) == [])
        #expect(report.menu?.languages == [.en, .zh])
        // Every intent of DESIGN.md section 6 is in the menu, with phrases in both languages.
        for intent in ["balance", "transfer", "card", "bill", "loan", "agent", "complaint", "repeat", "main_menu", "yes", "no"] {
            let definition = report.menu?.intent(intent)
            #expect(definition?.phrases[.en]?.isEmpty == false, "\(intent) en")
            #expect(definition?.phrases[.zh]?.isEmpty == false, "\(intent) zh")
        }
        // Every menu prompt (prompts.yaml) exists in both languages, not only those the menu uses.
        // Say-as fragments (fragments.yaml) follow each language's grammar and differ by design.
        let menuPrompts = prompts.filter { $0.file.hasSuffix("/prompts.yaml") }
        #expect(menuPrompts.count == 2)
        let ids = ConfigCheck.run(config: nil, menu: ("Config/menu.yaml", try read("Config/menu.yaml")), prompts: menuPrompts).promptIDs
        #expect(ids[.en] == ids[.zh])
    }

    @Test func serverConfigKnownKeys() {
        #expect(ServerConfigCheck.problems(yaml: ServerConfigCheck.defaultYAML, file: "c.yaml") == [])
        let bad = "bind: 127.0.0.1\nsip:\n  port: 70000\nhttp:\n  prot: 8080\n"
        #expect(ServerConfigCheck.problems(yaml: bad, file: "c.yaml").map(\.description) == [
            "c.yaml:3:9: 'sip.port' must be a port number 0-65535 (0: any free port; got 70000)",
            "c.yaml:5:3: unknown key 'http.prot' (known: bind, port, secure_cookie)",
        ])
    }

    @Test func promptFileProblems() {
        let result = PromptIDReader.ids(yaml: "greeting: \"Hello\n", file: "p.yaml")
        guard case .failure(let problems) = result else {
            Issue.record("an unterminated string was accepted")
            return
        }
        #expect(problems.problems.first?.location.file == "p.yaml")
        #expect(problems.problems.first?.location.line == 2)
    }
}
