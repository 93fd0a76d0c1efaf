public import Hummingbird
import NIOCore

/// Who a request to the admin HTTP side is from, once authenticated (roles grow: an editor may
/// do what a viewer may, an admin what an editor may).
public struct AdminIdentity: Sendable, Hashable {
    /// What an identity may do.
    public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Reads calls, funnels, prompts and menus.
        case viewer
        /// Also edits, previews and publishes prompts and menus.
        case editor
        /// Also manages users and tokens.
        case admin

        private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
    }

    /// The user or token name (what the audit trail records as "who").
    public var name: String
    /// What the identity may do.
    public var role: Role

    /// An identity; see the properties.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}

/// The request context of every admin route: Hummingbird's core storage plus the caller's
/// authenticated identity (set by the authentication middleware; nil on open routes such as
/// `/health`) and the client address (the audit trail's "from where").
public struct AdminRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Who is asking; nil until authenticated.
    public var identity: AdminIdentity?
    /// The client's address as text (e.g. `127.0.0.1`), when the channel knows it.
    public let remoteAddress: String?

    /// A context for one request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        let address: SocketAddress? = source.channel.remoteAddress
        let text: String? = address?.ipAddress
        self.remoteAddress = text
    }
}
