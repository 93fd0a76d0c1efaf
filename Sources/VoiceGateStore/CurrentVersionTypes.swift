public import Foundation

/// Which version of one prompt text new calls get (`current_prompts`), and what the text in
/// its file on disk registered as at the last start or reload.
public struct CurrentPrompt: Sendable, Equatable {
    /// The prompt id (`greeting`).
    public var name: String
    /// Its language (`en`).
    public var language: String
    /// `prompt_versions.id` new calls play.
    public var version: Int64
    /// `prompt_versions.id` of the file's text at the last (re)load; nil when writing: keep the stored one.
    public var fileVersion: Int64?

    /// A pointer; see the properties.
    public init(name: String, language: String, version: Int64, fileVersion: Int64? = nil) {
        self.name = name
        self.language = language
        self.version = version
        self.fileVersion = fileVersion
    }
}

/// Which menu version new calls run (`current_menu`), an optional canary for a share of them,
/// and what the menu file registered as at the last start or reload.
public struct CurrentMenu: Sendable, Equatable {
    /// `menu_versions.id` of the current menu.
    public var version: Int64
    /// `menu_versions.id` of the canary, if any.
    public var canaryVersion: Int64?
    /// Share of new calls (1–99) on the canary; 0 without one.
    public var canaryPercent: Int
    /// `menu_versions.id` of the file's menu at the last (re)load; nil when writing: keep the stored one.
    public var fileVersion: Int64?

    /// A pointer; see the properties.
    public init(version: Int64, canaryVersion: Int64? = nil, canaryPercent: Int = 0, fileVersion: Int64? = nil) {
        self.version = version
        self.canaryVersion = canaryVersion
        self.canaryPercent = canaryVersion == nil ? 0 : canaryPercent
        self.fileVersion = fileVersion
    }
}
