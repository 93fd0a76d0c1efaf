public import Foundation

/// One immutable version of a menu (`menu_versions`).
public struct MenuVersion: Sendable, Equatable {
    /// Row id; what `calls.menu_version` refers to.
    public var id: Int64
    /// The menu's name.
    public var name: String
    /// The YAML.
    public var content: String
    /// SHA-256 of the UTF-8 content, hex.
    public var contentHash: String
    /// Who stored it.
    public var author: String
    /// When.
    public var createdAt: Date
    /// Why.
    public var note: String?
}

/// One immutable version of a prompt in one language (`prompt_versions`).
public struct PromptVersion: Sendable, Equatable {
    /// Row id.
    public var id: Int64
    /// The prompt id (`greeting`).
    public var name: String
    /// Its language (`en`, `zh`).
    public var language: String
    /// Text to synthesise or audio bytes.
    public var content: [UInt8]
    /// What `content` is (`text/plain`, `audio/wav`).
    public var mediaType: String
    /// SHA-256 of the content, hex.
    public var contentHash: String
    /// Who stored it.
    public var author: String
    /// When.
    public var createdAt: Date
    /// Why.
    public var note: String?
}

/// One line of the admin audit trail: who did what, when, from where.
public struct AuditEntry: Sendable, Equatable {
    /// Row id (0 before insertion).
    public var id: Int64
    /// When.
    public var at: Date
    /// Who (user name).
    public var who: String
    /// What (`menu.publish`, `prompt.upload`, `calls.export`).
    public var action: String
    /// On what (a menu version id, a call id), if anything.
    public var target: String?
    /// From where (remote address, or `cli`).
    public var source: String

    /// An entry to append; `id` is assigned by the store.
    public init(at: Date, who: String, action: String, target: String? = nil, source: String) {
        self.id = 0
        self.at = at
        self.who = who
        self.action = action
        self.target = target
        self.source = source
    }
}
