import Foundation
import Testing
import VoiceGateDialog
import VoiceGatePrompts
import VoiceGateServer
import VoiceGateSpeech
import VoiceGateDSP

/// The live configuration as values: snapshots stay what they were while publishing goes on,
/// the canary share follows the Call-ID, promote and rollback move the current menu.
struct LiveStateTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The repository's menu with its start node renamed to mark versions apart.
    static func menu(version: Int64, name: String = "example-bank") throws -> LiveMenu {
        let yaml = try String(contentsOf: root.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: example-bank", with: "name: \(name)")
        let menu = try MenuLoader.load(yaml: yaml, file: "menu.yaml").get()
        return LiveMenu(version: version, yaml: yaml, engine: DialogEngine(menu: menu))
    }

    static func state() throws -> LiveState {
        let catalog = PromptCatalog(texts: [.en: ["greeting": "Hello.", "goodbye": "Bye."], .zh: ["greeting": "你好。"]])
        return LiveState(menu: try menu(version: 1), catalog: catalog,
                         promptVersions: [PromptKey(id: "greeting", language: .en): 10, PromptKey(id: "goodbye", language: .en): 11,
                                          PromptKey(id: "greeting", language: .zh): 12])
    }

    @Test func aSnapshotKeepsItsVersionsWhilePromptsAndMenusArePublished() throws {
        var state = try Self.state()
        let callA = state.configuration(forNewCall: "call-a")
        state.publish(prompt: PromptKey(id: "greeting", language: .en), text: "Welcome back.", version: 13)
        state.publish(menu: try Self.menu(version: 2, name: "bank-v2"))
        let callB = state.configuration(forNewCall: "call-b")

        #expect(callA.catalog.text(of: "greeting", language: .en) == "Hello.")
        #expect(callA.promptVersion(id: "greeting", language: .en) == 10)
        #expect(callA.menuVersion == 1 && callA.engine.menu.name == "example-bank")
        #expect(callB.catalog.text(of: "greeting", language: .en) == "Welcome back.")
        #expect(callB.promptVersion(id: "greeting", language: .en) == 13)
        #expect(callB.promptVersion(id: "greeting", language: .zh) == 12)
        #expect(callB.menuVersion == 2 && callB.engine.menu.name == "bank-v2")
    }

    @Test func promptEventsNameTheVersionTheCallPlays() throws {
        let call = try Self.state().configuration(forNewCall: "x")
        let started = TraceEvent(atMs: 5, node: "greeting", .prompt(id: "greeting", language: .zh, state: .started, playID: "p1"))
        let annotated = call.annotated(started)
        #expect(annotated.promptVersion == 12)
        #expect(annotated.jsonLine().contains("\"version\":12"))
        let decoded = try JSONDecoder().decode(TraceEvent.self, from: Data(annotated.jsonLine().utf8))
        #expect(decoded == annotated)
        let node = TraceEvent(atMs: 5, node: "greeting", .node)
        #expect(call.annotated(node) == node)
        // Old traces (no version key) still read.
        let old = try JSONDecoder().decode(TraceEvent.self, from: Data(started.jsonLine().utf8))
        #expect(old.promptVersion == nil && !started.jsonLine().contains("version"))
    }

    @Test func theCanaryTakesItsShareOfNewCallsByCallID() throws {
        var state = try Self.state()
        state.publish(menu: try Self.menu(version: 2, name: "canary"), canaryPercent: 30)
        let ids = (0..<2000).map { "call-\($0)@10.0.0.1" }
        let onCanary = ids.filter { state.configuration(forNewCall: $0).isCanary }
        #expect((500...700).contains(onCanary.count), "\(onCanary.count) of 2000 on a 30% canary")
        for id in ids.prefix(200) {
            let configuration = state.configuration(forNewCall: id)
            #expect(configuration.isCanary == (LiveState.canaryBucket(callID: id) < 30))
            #expect(configuration.menuVersion == (configuration.isCanary ? 2 : 1))
            // The same Call-ID always lands on the same side.
            #expect(state.configuration(forNewCall: id).isCanary == configuration.isCanary)
        }
        let promoted = state.promoteCanary()
        #expect(promoted)
        #expect(state.canary == nil && state.menu.version == 2)
        #expect(ids.allSatisfy { state.configuration(forNewCall: $0).menuVersion == 2 })
        let promotedAgain = state.promoteCanary()
        #expect(!promotedAgain)
    }

    @Test func rollingBackMakesAnOlderVersionCurrentForNewCallsOnly() async throws {
        let first = try Self.state()
        let renderer = PromptRenderer(catalog: first.catalog, synthesizer: SilentSynthesizer(), cacheDirectory: nil)
        let live = LiveConfiguration(state: first, renderer: renderer)
        let greeting = PromptKey(id: "greeting", language: .en)
        await live.update { $0.publish(prompt: greeting, text: "Welcome back.", version: 13) }
        let during = await live.snapshot(forNewCall: "during")
        await live.update { $0.publish(prompt: greeting, text: "Hello.", version: 10) }  // roll back to v10
        let after = await live.snapshot(forNewCall: "after")
        #expect(during.promptVersion(id: "greeting", language: .en) == 13)
        #expect(after.promptVersion(id: "greeting", language: .en) == 10)
        #expect(after.catalog.text(of: "greeting", language: .en) == "Hello.")
        await live.update { $0.publish(menu: try! Self.menu(version: 3), canaryPercent: 50) }
        await live.update { $0.publish(menu: try! Self.menu(version: 1)) }  // menu rollback ends the canary
        let state = await live.state
        #expect(state.menu.version == 1 && state.canary == nil)
    }
}

/// A synthesiser that says nothing (the renderer is needed, speech is not).
struct SilentSynthesizer: SpeechSynthesizer {
    var engineIdentifier: String { "silent" }
    func synthesize(_ text: String, voice: SpeechVoice, sampleRate: Int) async throws -> AudioClip {
        AudioClip(sampleRate: sampleRate, samples: [Int16](repeating: 0, count: sampleRate / 10))
    }
}
