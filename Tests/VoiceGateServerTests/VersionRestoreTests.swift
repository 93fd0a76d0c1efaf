import Foundation
import Logging
import Testing
import VoiceGateDialog
import VoiceGatePrompts
import VoiceGateServer
import VoiceGateStore

/// What was published survives a restart: a new `VersionPublisher` over the same records file
/// (as `voicegate serve` builds at start) resumes the published prompt texts, menu and canary,
/// except where a file changed on disk since the last start: then the file wins, audited.
@Suite struct VersionRestoreTests {
    /// A copy of the repository's menu and prompts and a records file, in a fresh folder.
    final class Files {
        let folder: URL
        var menu: String { folder.appendingPathComponent("menu.yaml").path }
        var prompts: String { folder.appendingPathComponent("Prompts").path }
        var db: String { folder.appendingPathComponent("records.sqlite").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-restore-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: LiveStateTests.root.appendingPathComponent("Config/menu.yaml"),
                                             to: folder.appendingPathComponent("menu.yaml"))
            try FileManager.default.copyItem(at: LiveStateTests.root.appendingPathComponent("Prompts"),
                                             to: folder.appendingPathComponent("Prompts"))
        }

        /// A gateway start: the store opened and the publisher built from the files.
        func start() async throws -> (CallStore, VersionPublisher) {
            let store = try CallStore(path: db)
            let renderer = PromptRenderer(catalog: PromptCatalog(texts: [:]), synthesizer: SilentSynthesizer(), cacheDirectory: nil)
            let publisher = try await VersionPublisher(menuFile: menu, promptsFolder: prompts, renderer: renderer, store: store,
                                                       logger: Logger(label: "test"))
            return (store, publisher)
        }

        /// Replaces `old` by `new` in the English prompts file.
        func editEnglishPrompts(_ old: String, _ new: String) throws {
            let path = (prompts as NSString).appendingPathComponent("en/prompts.yaml")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(old))
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    static let greeting = PromptKey(id: "greeting", language: .en)
    static let goodbye = PromptKey(id: "goodbye", language: .en)
    /// The start of the greeting's English text in the repository's prompts file (edited on disk by tests).
    static let greetingStart = "Welcome to Example Bank. In a few words"
    static let who = ChangeAuthor(who: "alice", source: "127.0.0.1")

    @Test func publishedPromptsMenuAndCanaryComeBackAfterARestart() async throws {
        let files = try Files()
        let (store, first) = try await files.start()
        let fileGreeting = try #require(await first.live.state.promptVersions[Self.greeting])
        let fileMenu = try #require(await first.live.state.menu.version)
        let greeting = try #require(try await first.publishPrompt(Self.greeting, text: "Welcome back to the bank.", note: "n", by: Self.who))
        let goodbye = try #require(try await first.publishPrompt(Self.goodbye, text: "See you soon.", note: "n", by: Self.who))
        let yaml = try String(contentsOfFile: files.menu, encoding: .utf8)
        let current = try #require(try await first.publishMenu(
            yaml: yaml.replacingOccurrences(of: "name: example-bank", with: "name: example-bank # v2"), note: "n",
            canaryPercent: nil, by: Self.who))
        let canary = try #require(try await first.publishMenu(
            yaml: yaml.replacingOccurrences(of: "name: example-bank", with: "name: example-bank # canary"), note: "n",
            canaryPercent: 30, by: Self.who))
        try await first.rollbackPrompt(Self.goodbye, to: goodbye, by: Self.who)  // a no-op rollback is fine too
        #expect(current != fileMenu && canary != current && greeting != fileGreeting)
        try store.close()

        // Restart on unchanged files: everything published is current again.
        let (store2, second) = try await files.start()
        let state = await second.live.state
        #expect(state.promptVersions[Self.greeting] == greeting)
        #expect(state.catalog.text(of: "greeting", language: .en) == "Welcome back to the bank.")
        #expect(state.promptVersions[Self.goodbye] == goodbye)
        #expect(state.menu.version == current && state.canary?.version == canary && state.canaryPercent == 30)
        #expect(state.configuration(forNewCall: "x").catalog.text(of: "greeting", language: .en) == "Welcome back to the bank.")
        // Promote, restart again: the promoted canary is the menu, no canary left.
        try await second.promoteCanary(by: Self.who)
        try store2.close()
        let (store3, third) = try await files.start()
        let promoted = await third.live.state
        #expect(promoted.menu.version == canary && promoted.canary == nil)
        #expect(try await store3.currentMenu() == CurrentMenu(version: canary, fileVersion: fileMenu))
        try store3.close()
    }

    @Test func aFileEditedBetweenRunsWinsOverThePublishedVersionAndIsAudited() async throws {
        let files = try Files()
        let (store, first) = try await files.start()
        let published = try #require(try await first.publishPrompt(Self.greeting, text: "Published greeting.", note: nil, by: Self.who))
        let goodbye = try #require(try await first.publishPrompt(Self.goodbye, text: "Published goodbye.", note: nil, by: Self.who))
        let yaml = try String(contentsOfFile: files.menu, encoding: .utf8)
        _ = try await first.publishMenu(yaml: yaml + "\n# canary\n", note: nil, canaryPercent: 50, by: Self.who)
        try store.close()

        // The operator edits the greeting and the menu on disk (not the goodbye).
        try files.editEnglishPrompts(Self.greetingStart, "Edited on disk. In a few words")
        try (yaml + "\n# edited on disk\n").write(toFile: files.menu, atomically: true, encoding: .utf8)

        let (store2, second) = try await files.start()
        let state = await second.live.state
        #expect(state.catalog.text(of: "greeting", language: .en)?.hasPrefix("Edited on disk.") == true)
        #expect(state.promptVersions[Self.greeting] != published)
        #expect(state.promptVersions[Self.goodbye] == goodbye, "an untouched text keeps its published version")
        #expect(state.menu.yaml.hasSuffix("# edited on disk\n") && state.canary == nil, "the edited menu ends the canary")
        let trail = try await store2.auditTrail().filter { $0.action == "config.file_changed" }
        #expect(trail.count == 2, "\(trail)")
        #expect(trail.contains { $0.target?.contains("prompt greeting/en") == true && $0.target?.contains("version \(published) set aside") == true })
        #expect(trail.contains { $0.target?.contains("menu ") == true && $0.target?.contains("canary") == true })
        try store2.close()

        // The next start sees the files as they were: nothing changed, nothing audited again.
        let (store3, third) = try await files.start()
        #expect(await third.live.state.catalog.text(of: "greeting", language: .en)?.hasPrefix("Edited on disk.") == true)
        #expect(try await store3.auditTrail().filter { $0.action == "config.file_changed" }.count == 2)
        try store3.close()
    }
}
