import Foundation
public import Logging
public import VoiceGateDialog
public import VoiceGatePrompts
public import VoiceGateStore

/// Publishing a prompt or menu failed for a reason the caller should hear (HTTP 404/409/422).
public enum PublishError: Error, Sendable, CustomStringConvertible {
    /// No such prompt, language or version.
    case notFound(String)
    /// Nothing to do (e.g. no canary to promote), or no store to keep versions in.
    case conflict(String)
    /// The menu did not validate: every problem as `file:line:column: message`.
    case invalid(ConfigProblems)

    public var description: String {
        switch self {
        case .notFound(let what), .conflict(let what): return what
        case .invalid(let problems): return problems.description
        }
    }
}

/// The menu file and prompt folder as read from disk, validated.
public struct DiskConfiguration: Sendable {
    /// The menu's YAML.
    public var menuYAML: String
    /// The menu loaded from it.
    public var menu: Menu
    /// The prompts.
    public var catalog: PromptCatalog
}

/// Who did something, for the versions' author and the audit trail.
public struct ChangeAuthor: Sendable {
    /// User or token name (`anonymous` until authentication is in place).
    public var who: String
    /// Client address, or `cli`/`signal`.
    public var source: String

    /// An author; see the properties.
    public init(who: String, source: String) {
        self.who = who
        self.source = source
    }
}

/// Publishes prompt and menu versions: stores each as an immutable row (`prompt_versions`,
/// `menu_versions`), writes the audit trail, and swaps the `LiveConfiguration` so new calls get
/// it at once (calls in progress keep theirs). Also re-reads the files on disk (`voicegate
/// reload`, SIGHUP): validate, then swap; an invalid file changes nothing.
public actor VersionPublisher {
    /// What new calls get.
    public nonisolated let live: LiveConfiguration
    /// Where versions and the audit trail are kept; nil: changes go live but are not recorded.
    public nonisolated let store: CallStore?
    /// `Config/menu.yaml` (reload reads it; names problems).
    public nonisolated let menuFile: String
    /// `Prompts/` (reload reads it).
    public nonisolated let promptsFolder: String
    private let logger: Logger
    /// What disk held at the last (re)load: reload applies only what changed on disk since,
    /// so a prompt published in the console is not undone by reloading an edited menu file.
    private var disk: DiskConfiguration

    /// The tail of the changes in progress: each change waits for the one before (see `serially`).
    private var lastChange: Task<Void, Never>?

    /// Loads the files, registers their versions (unchanged content adds no rows), restores the
    /// versions published before the last stop (except where a file changed on disk since: the
    /// file wins; see `restoreCurrent`) and builds the live configuration over `renderer`.
    /// - Throws: `ConfigProblems` when the files are invalid.
    public init(menuFile: String, promptsFolder: String, renderer: PromptRenderer, store: CallStore?,
                logger: Logger) async throws {
        let loaded = try Self.readDisk(menuFile: menuFile, promptsFolder: promptsFolder).get()
        self.menuFile = menuFile
        self.promptsFolder = promptsFolder
        self.store = store
        self.logger = logger
        self.disk = loaded
        let menuVersion = try await store?.registerMenuVersion(name: loaded.menu.name, content: loaded.menuYAML,
                                                               author: "voicegate serve", note: "loaded from \(menuFile)").id
        var state = LiveState(menu: LiveMenu(version: menuVersion, yaml: loaded.menuYAML, engine: DialogEngine(menu: loaded.menu)),
                              catalog: loaded.catalog)
        if let store {
            for key in Self.textKeys(loaded.catalog) {
                guard let text = loaded.catalog.text(of: key.id, language: key.language) else { continue }
                state.promptVersions[key] = try await store.registerPromptVersion(
                    name: key.id, language: key.language.rawValue, content: Array(text.utf8), mediaType: "text/plain",
                    author: "voicegate serve", note: "loaded from \(promptsFolder)").id
            }
            state = try await Self.restoreCurrent(state, store: store, menuFile: menuFile, logger: logger)
        }
        await renderer.replaceCatalog(state.catalog)
        self.live = LiveConfiguration(state: state, renderer: renderer)
    }

    /// Runs `change` after every change begun before it has finished, so changes reach the
    /// store's pointers and the live state in the same order (the actor alone would interleave
    /// them at each `await`).
    private func serially<T: Sendable>(_ change: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = lastChange
        let task = Task { () async throws -> T in
            await previous?.value
            return try await change()
        }
        lastChange = Task { _ = try? await task.value }
        return try await task.value
    }

    /// Reads and validates the menu and prompts on disk (every problem as `file:line:column`).
    public static func readDisk(menuFile: String, promptsFolder: String) -> Result<DiskConfiguration, ConfigProblems> {
        func problem(_ file: String, _ message: String) -> ConfigProblems {
            ConfigProblems([ConfigProblem(SourceLocation(file: file, line: 1, column: 1), message)])
        }
        guard let menuData = FileManager.default.contents(atPath: menuFile),
              let menuYAML = String(data: menuData, encoding: .utf8) else {
            return .failure(problem(menuFile, "cannot read the menu file"))
        }
        var promptFiles: [ConfigCheck.PromptFile] = []
        for language in Language.allCases {
            let folder = (promptsFolder as NSString).appendingPathComponent(language.rawValue)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    return .failure(problem(path, "cannot read the prompt file"))
                }
                promptFiles.append(.init(language: language, file: path, text: text))
            }
        }
        let report = ConfigCheck.run(config: nil, menu: (menuFile, menuYAML), prompts: promptFiles)
        guard report.ok, let menu = report.menu else { return .failure(ConfigProblems(report.problems)) }
        do {
            let catalog = try PromptCatalog.load(root: promptsFolder)
            return .success(DiskConfiguration(menuYAML: menuYAML, menu: menu, catalog: catalog))
        } catch let error as PromptCatalogError {
            return .failure(ConfigProblems(error.problems.map {
                ConfigProblem(SourceLocation(file: $0.file, line: $0.line, column: $0.column), $0.message)
            }))
        } catch {
            return .failure(problem(promptsFolder, "\(error)"))
        }
    }

    /// Every (id, language) with a text in `catalog`, sorted.
    static func textKeys(_ catalog: PromptCatalog) -> [PromptKey] {
        Language.allCases.flatMap { language in
            catalog.ids(language: language).sorted().compactMap { id in
                catalog.text(of: id, language: language) == nil ? nil : PromptKey(id: id, language: language)
            }
        }
    }

    // MARK: prompts

    /// Publishes `text` as the text of `key` for new calls: a new `prompt_versions` row (or the
    /// existing one with the same text, which is how a rollback reads), made current and audited
    /// in one transaction, then live.
    /// - Returns: the version id (nil without a store).
    @discardableResult
    public func publishPrompt(_ key: PromptKey, text: String, note: String?, by author: ChangeAuthor) async throws -> Int64? {
        try await serially { try await self.publishPromptNow(key, text: text, note: note, by: author) }
    }

    private func publishPromptNow(_ key: PromptKey, text: String, note: String?, by author: ChangeAuthor) async throws -> Int64? {
        let state = await live.state
        guard state.catalog.text(of: key.id, language: key.language) != nil
                || state.catalog.recording(of: key.id, language: key.language) != nil else {
            throw PublishError.notFound("no prompt '\(key.id)' in language '\(key.language.rawValue)'")
        }
        let version = try await store?.publishPromptVersion(
            name: key.id, language: key.language.rawValue, content: Array(text.utf8), mediaType: "text/plain",
            author: author.who, note: note,
            audit: { Self.entry(author, action: "prompt.publish", target: "\(key) version \($0.id)") }).id
        await live.update { $0.publish(prompt: key, text: text, version: version) }
        logger.notice("prompt \(key) version \(version.map(String.init) ?? "-") published by \(author.who) for new calls")
        return version
    }

    /// Makes stored `version` of `key` current again for new calls.
    public func rollbackPrompt(_ key: PromptKey, to version: Int64, by author: ChangeAuthor) async throws {
        try await serially { try await self.rollbackPromptNow(key, to: version, by: author) }
    }

    private func rollbackPromptNow(_ key: PromptKey, to version: Int64, by author: ChangeAuthor) async throws {
        guard let row = try await promptHistory(key).first(where: { $0.id == version }) else {
            throw PublishError.notFound("prompt \(key) has no version \(version)")
        }
        let text = String(decoding: row.content, as: UTF8.self)
        try await store?.setCurrent(prompts: [CurrentPrompt(name: key.id, language: key.language.rawValue, version: version)],
                                    audit: [Self.entry(author, action: "prompt.rollback", target: "\(key) version \(version)")])
        await live.update { $0.publish(prompt: key, text: text, version: version) }
        logger.notice("prompt \(key) rolled back to version \(version) by \(author.who)")
    }

    /// Stored versions of `key`, newest first (empty without a store).
    public func promptHistory(_ key: PromptKey) async throws -> [PromptVersion] {
        try await store?.promptVersions(name: key.id).filter { $0.language == key.language.rawValue } ?? []
    }

    // MARK: menus

    /// Validates `yaml` (against the live prompts) and publishes it: for every new call, or as
    /// a canary for `canaryPercent` (1–99) % of new calls.
    /// - Throws: `PublishError.invalid` with every problem (file `menu.yaml`), nothing changed.
    @discardableResult
    public func publishMenu(yaml: String, note: String?, canaryPercent: Int?, by author: ChangeAuthor) async throws -> Int64? {
        try await serially { try await self.publishMenuNow(yaml: yaml, note: note, canaryPercent: canaryPercent, by: author) }
    }

    private func publishMenuNow(yaml: String, note: String?, canaryPercent: Int?, by author: ChangeAuthor) async throws -> Int64? {
        let state = await live.state
        var ids: [Language: Set<String>] = [:]
        for language in Language.allCases { ids[language] = state.catalog.ids(language: language) }
        let menu: Menu
        switch MenuLoader.load(yaml: yaml, file: "menu.yaml", promptIDs: ids) {
        case .success(let loaded): menu = loaded
        case .failure(let problems): throw PublishError.invalid(problems)
        }
        let percent = canaryPercent.map { min(max($0, 0), 100) }
        let share = percent.map { $0 < 100 ? " as canary for \($0)% of new calls" : "" } ?? ""
        let engine = DialogEngine(menu: menu)
        let version = try await store?.publishMenuVersion(
            name: menu.name, content: yaml, author: author.who, note: note,
            pointer: { stored in
                var next = state
                next.publish(menu: LiveMenu(version: stored.id, yaml: yaml, engine: engine), canaryPercent: percent)
                return Self.menuPointer(next) ?? CurrentMenu(version: stored.id)
            },
            audit: { Self.entry(author, action: "menu.publish", target: "menu version \($0.id)\(share)") }).id
        let entry = LiveMenu(version: version, yaml: yaml, engine: engine)
        await live.update { $0.publish(menu: entry, canaryPercent: percent) }
        logger.notice("menu version \(version.map(String.init) ?? "-") published by \(author.who)\(share)")
        return version
    }

    /// Makes the canary menu current for every new call.
    public func promoteCanary(by author: ChangeAuthor) async throws {
        try await serially { try await self.promoteCanaryNow(by: author) }
    }

    private func promoteCanaryNow(by author: ChangeAuthor) async throws {
        var next = await live.state
        guard let canary = next.canary else { throw PublishError.conflict("there is no canary menu to promote") }
        next.promoteCanary()
        if let pointer = Self.menuPointer(next) {
            try await store?.setCurrent(menu: pointer, audit: [
                Self.entry(author, action: "menu.promote", target: "menu version \(canary.version.map(String.init) ?? "-")"),
            ])
        }
        await live.update { $0.promoteCanary() }
        logger.notice("canary menu promoted by \(author.who)")
    }

    /// Makes stored menu `version` current for every new call (and ends any canary).
    public func rollbackMenu(to version: Int64, by author: ChangeAuthor) async throws {
        try await serially { try await self.rollbackMenuNow(to: version, by: author) }
    }

    private func rollbackMenuNow(to version: Int64, by author: ChangeAuthor) async throws {
        guard let row = try await store?.menuVersions().first(where: { $0.id == version }) else {
            throw PublishError.notFound("no menu version \(version)")
        }
        let menu: Menu
        switch MenuLoader.load(yaml: row.content, file: "menu version \(version)") {
        case .success(let loaded): menu = loaded
        case .failure(let problems): throw PublishError.invalid(problems)
        }
        let entry = LiveMenu(version: version, yaml: row.content, engine: DialogEngine(menu: menu))
        try await store?.setCurrent(menu: CurrentMenu(version: version),
                                    audit: [Self.entry(author, action: "menu.rollback", target: "menu version \(version)")])
        await live.update { $0.publish(menu: entry) }
        logger.notice("menu rolled back to version \(version) by \(author.who)")
    }

    /// Stored menu versions, newest first (empty without a store).
    public func menuHistory() async throws -> [MenuVersion] {
        try await store?.menuVersions() ?? []
    }

    // MARK: reload

    /// Re-reads the menu and prompts from disk and, when they validate, applies what changed
    /// on disk since the last load for new calls (a menu edited on disk becomes current and ends
    /// any canary; edited prompt texts become current); texts and menus published in the
    /// console since are kept where disk did not change. The stored pointers follow (with the
    /// files' new versions, so the next start knows the files as seen here). When invalid, every
    /// problem is logged and the running configuration stays.
    /// - Returns: the problems (empty on success).
    @discardableResult
    public func reloadFromDisk(by author: ChangeAuthor) async -> [ConfigProblem] {
        do {
            return try await serially { await self.reloadNow(by: author) }
        } catch {
            return [ConfigProblem(SourceLocation(file: menuFile, line: 1, column: 1), "reload failed: \(error)")]
        }
    }

    private func reloadNow(by author: ChangeAuthor) async -> [ConfigProblem] {
        let loaded: DiskConfiguration
        switch Self.readDisk(menuFile: menuFile, promptsFolder: promptsFolder) {
        case .success(let value): loaded = value
        case .failure(let problems):
            for problem in problems.problems { logger.error("reload rejected: \(problem)") }
            logger.error("reload rejected: \(problems.problems.count) problem(s); the running menu and prompts stay")
            return problems.problems
        }
        do {
            var menuEntry: LiveMenu?
            if loaded.menuYAML != disk.menuYAML {
                let version = try await store?.registerMenuVersion(name: loaded.menu.name, content: loaded.menuYAML,
                                                                   author: author.who, note: "reloaded from \(menuFile)").id
                menuEntry = LiveMenu(version: version, yaml: loaded.menuYAML, engine: DialogEngine(menu: loaded.menu))
            }
            var changed: [(PromptKey, String, Int64?)] = []
            for key in Self.textKeys(loaded.catalog) {
                guard let text = loaded.catalog.text(of: key.id, language: key.language),
                      text != disk.catalog.text(of: key.id, language: key.language) else { continue }
                let version = try await store?.registerPromptVersion(
                    name: key.id, language: key.language.rawValue, content: Array(text.utf8), mediaType: "text/plain",
                    author: author.who, note: "reloaded from \(promptsFolder)").id
                changed.append((key, text, version))
            }
            let summary = "\(menuEntry == nil ? "menu unchanged" : "menu version \(menuEntry?.version.map(String.init) ?? "-")"), \(changed.count) prompt text(s) changed"
            try await store?.setCurrent(
                prompts: changed.compactMap { key, _, version in
                    version.map { CurrentPrompt(name: key.id, language: key.language.rawValue, version: $0, fileVersion: $0) }
                },
                menu: menuEntry?.version.map { CurrentMenu(version: $0, fileVersion: $0) },
                audit: [Self.entry(author, action: "config.reload", target: summary)])
            let previousDisk = disk.catalog
            let newMenu = menuEntry
            let changedTexts = changed
            await live.update { state in
                // Start from disk (new ids, recordings), keep console publications disk did not touch.
                var next = state
                next.catalog = loaded.catalog
                for key in Self.textKeys(state.catalog) {
                    guard let live = state.catalog.text(of: key.id, language: key.language),
                          live != previousDisk.text(of: key.id, language: key.language),
                          previousDisk.text(of: key.id, language: key.language) == loaded.catalog.text(of: key.id, language: key.language)
                    else { continue }
                    next.catalog = next.catalog.replacingText(of: key.id, language: key.language, with: live)
                }
                for (key, text, version) in changedTexts { next.publish(prompt: key, text: text, version: version) }
                if let newMenu { next.publish(menu: newMenu) }
                state = next
            }
            disk = loaded
            logger.notice("reloaded \(menuFile) and \(promptsFolder): \(menuEntry == nil ? "menu unchanged" : "new menu"), \(changed.count) prompt text(s) changed")
            return []
        } catch {
            let problem = ConfigProblem(SourceLocation(file: menuFile, line: 1, column: 1), "reload failed: \(error)")
            logger.error("\(problem); the running menu and prompts stay")
            return [problem]
        }
    }

    /// An audit entry by `author`, now.
    static func entry(_ author: ChangeAuthor, action: String, target: String) -> AuditEntry {
        AuditEntry(at: Date(), who: author.who, action: action, target: target, source: author.source)
    }
}
