import Foundation
import Logging
import VoiceGateDialog
import VoiceGateStore

/// Resuming what was live before a restart (docs/live-changes.md): the stored pointers
/// (`current_prompts`, `current_menu`) say which versions new calls got; they come back, except
/// where a file on disk changed since the last start or reload — an operator edited it on
/// purpose, so the file wins (audited `config.file_changed`).
extension VersionPublisher {
    /// Who the start's audit entries name.
    static let startAuthor = ChangeAuthor(who: "voicegate serve", source: "start")

    /// `state` (the files, registered as versions) with the stored current versions put back,
    /// and the pointers rewritten with the files' versions as seen now, in one transaction.
    static func restoreCurrent(_ state: LiveState, store: CallStore, menuFile: String, logger: Logger) async throws -> LiveState {
        var next = state
        var audit: [AuditEntry] = []
        var pointers: [CurrentPrompt] = []
        var restoredTexts = 0
        var stored: [PromptKey: CurrentPrompt] = [:]
        for pointer in try await store.currentPrompts() {
            guard let language = Language(rawValue: pointer.language) else { continue }
            stored[PromptKey(id: pointer.name, language: language)] = pointer
        }
        for key in textKeys(state.catalog) {
            guard let fileVersion = state.promptVersions[key] else { continue }
            var current = fileVersion
            if let pointer = stored[key] {
                if let seen = pointer.fileVersion, seen != fileVersion {
                    let replaced = pointer.version == seen ? "" : "; published version \(pointer.version) set aside"
                    audit.append(entry(startAuthor, action: "config.file_changed",
                                       target: "prompt \(key): file text changed on disk, now version \(fileVersion)\(replaced)"))
                    logger.notice("prompt \(key): its file changed since the last start; the file's text (version \(fileVersion)) is current\(replaced)")
                } else if pointer.version != fileVersion {
                    if let row = try await store.promptVersion(id: pointer.version), row.name == key.id,
                       row.language == key.language.rawValue, row.mediaType == "text/plain" {
                        next.publish(prompt: key, text: String(decoding: row.content, as: UTF8.self), version: row.id)
                        current = row.id
                        restoredTexts += 1
                    } else {
                        logger.warning("prompt \(key): stored current version \(pointer.version) is not a text of it; the file's text stays")
                    }
                }
            }
            pointers.append(CurrentPrompt(name: key.id, language: key.language.rawValue, version: current, fileVersion: fileVersion))
        }

        var menuPointer: CurrentMenu?
        if let fileVersion = state.menu.version {
            var pointer = CurrentMenu(version: fileVersion, fileVersion: fileVersion)
            if let saved = try await store.currentMenu() {
                if let seen = saved.fileVersion, seen != fileVersion {
                    let replaced = (saved.version == seen ? "" : "; published version \(saved.version) set aside")
                        + (saved.canaryVersion.map { "; canary version \($0) ended" } ?? "")
                    audit.append(entry(startAuthor, action: "config.file_changed",
                                       target: "menu \(menuFile): changed on disk, now version \(fileVersion)\(replaced)"))
                    logger.notice("menu \(menuFile) changed since the last start; it is current (version \(fileVersion))\(replaced)")
                } else {
                    if saved.version != fileVersion, let menu = try await liveMenu(saved.version, next, store, logger) {
                        next.publish(menu: menu)
                        pointer.version = saved.version
                    }
                    if let canaryVersion = saved.canaryVersion, saved.canaryPercent > 0,
                       let canary = try await liveMenu(canaryVersion, next, store, logger) {
                        next.publish(menu: canary, canaryPercent: saved.canaryPercent)
                        pointer.canaryVersion = canaryVersion
                        pointer.canaryPercent = saved.canaryPercent
                    }
                }
            }
            menuPointer = pointer
        }
        try await store.setCurrent(prompts: pointers, menu: menuPointer, audit: audit)
        let canary = next.canary.map { " (canary version \($0.version.map(String.init) ?? "-") for \(next.canaryPercent)%)" } ?? ""
        logger.notice("current versions: menu version \(next.menu.version.map(String.init) ?? "-")\(canary), \(restoredTexts) published prompt text(s) restored")
        return next
    }

    /// Stored menu `version` ready to run, checked against `state`'s prompt ids; nil (logged)
    /// when it is gone or no longer valid (e.g. a prompt it names was removed from disk).
    private static func liveMenu(_ version: Int64, _ state: LiveState, _ store: CallStore, _ logger: Logger) async throws -> LiveMenu? {
        guard let row = try await store.menuVersion(id: version) else {
            logger.warning("stored menu version \(version) not found; the menu file stays current")
            return nil
        }
        var ids: [Language: Set<String>] = [:]
        for language in Language.allCases { ids[language] = state.catalog.ids(language: language) }
        switch MenuLoader.load(yaml: row.content, file: "menu version \(version)", promptIDs: ids) {
        case .success(let menu):
            return LiveMenu(version: version, yaml: row.content, engine: DialogEngine(menu: menu))
        case .failure(let problems):
            logger.warning("stored menu version \(version) no longer validates (\(problems)); the menu file stays current")
            return nil
        }
    }

    /// The store's pointer for `state`'s menu and canary; nil without recorded versions.
    static func menuPointer(_ state: LiveState) -> CurrentMenu? {
        guard let version = state.menu.version else { return nil }
        guard let canary = state.canary?.version, state.canaryPercent > 0 else { return CurrentMenu(version: version) }
        return CurrentMenu(version: version, canaryVersion: canary, canaryPercent: state.canaryPercent)
    }
}
