/// A parsed SDP body (RFC 4566): the session-level fields and the media descriptions, in order.
///
/// Fields the gateway interprets (`o=`, `c=`, `b=`, `t=`, `m=`, `a=`) are typed; the others
/// (`i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=`) are kept verbatim in `otherFields` so a parsed body
/// serializes back without losing anything. Attributes are kept raw and in order (typed views such
/// as `SDPMediaDescription.rtpMaps` parse them on demand), so unknown attributes survive a round trip.
public struct SessionDescription: Sendable, Hashable {
    /// `v=`: always 0 in RFC 4566.
    public var version: Int
    /// `o=`: who made the session and which version of it this is.
    public var origin: SDPOrigin
    /// `s=`: free text; a single space when the creator has nothing to say (RFC 4566 5.3).
    public var sessionName: String
    /// Session-level `c=`; media without their own `c=` use it.
    public var connection: SDPConnection?
    /// Session-level `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// `t=` lines (normally one, `t=0 0`).
    public var timings: [SDPTiming]
    /// Session-level `a=` lines in order (a direction here applies to every medium without its own).
    public var attributes: [SDPAttribute]
    /// Fields kept verbatim: `i u e p` (written before `c=`) and `r z k` (written after `t=`).
    public var otherFields: [SDPField]
    /// `m=` sections in order; answers keep the offer's count and order (RFC 3264 6).
    public var media: [SDPMediaDescription]

    /// Creates a session description; defaults give `v=0`, `s= `, `t=0 0`.
    public init(version: Int = 0, origin: SDPOrigin, sessionName: String = " ",
                connection: SDPConnection? = nil, bandwidths: [SDPBandwidth] = [],
                timings: [SDPTiming] = [SDPTiming(start: 0, stop: 0)], attributes: [SDPAttribute] = [],
                otherFields: [SDPField] = [], media: [SDPMediaDescription] = []) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.bandwidths = bandwidths
        self.timings = timings
        self.attributes = attributes
        self.otherFields = otherFields
        self.media = media
    }

    /// The session-level direction attribute, if one is present.
    public var direction: SDPDirection? { SDPDirection.first(in: attributes) }

    /// The connection that applies to `media[index]`: its own `c=` or else the session's.
    public func effectiveConnection(ofMediaAt index: Int) -> SDPConnection? {
        media[index].connection ?? connection
    }

    /// The direction that applies to `media[index]`: its own attribute, else the session's, else sendrecv.
    public func effectiveDirection(ofMediaAt index: Int) -> SDPDirection {
        media[index].direction ?? direction ?? .sendrecv
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
public struct SDPOrigin: Sendable, Hashable {
    /// Login of the creator, `-` when there is none.
    public var username: String
    /// Numeric session id, stable for the whole session.
    public var sessionID: UInt64
    /// Numeric version, incremented whenever the description changes (RFC 3264 8).
    public var sessionVersion: UInt64
    /// Network type; always `IN` here.
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: SDPAddressType
    /// Address (or host name) of the machine that made the session.
    public var address: String

    /// Creates an origin line.
    public init(username: String = "-", sessionID: UInt64, sessionVersion: UInt64, networkType: String = "IN",
                addressType: SDPAddressType, address: String) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }
}

/// Address family of `o=` and `c=` lines.
public enum SDPAddressType: String, Sendable, Hashable {
    /// IPv4 (`IP4`).
    case ip4 = "IP4"
    /// IPv6 (`IP6`).
    case ip6 = "IP6"

    /// The family an address literal belongs to: IPv6 literals contain a colon.
    public static func of(address: String) -> SDPAddressType {
        address.contains(":") ? .ip6 : .ip4
    }
}

/// `c=<nettype> <addrtype> <connection-address>[/<ttl>][/<number of addresses>]`.
public struct SDPConnection: Sendable, Hashable {
    /// Network type; always `IN` here.
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: SDPAddressType
    /// Address or host name media goes to.
    public var address: String
    /// Multicast TTL (IPv4 multicast only); nil for unicast.
    public var ttl: Int?
    /// Number of consecutive multicast addresses; nil when not given.
    public var addressCount: Int?

    /// Creates a connection line (unicast unless a TTL is given).
    public init(networkType: String = "IN", addressType: SDPAddressType, address: String,
                ttl: Int? = nil, addressCount: Int? = nil) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
        self.ttl = ttl
        self.addressCount = addressCount
    }

    /// Creates a unicast connection, inferring the family from the literal.
    public init(address: String) {
        self.init(addressType: .of(address: address), address: address)
    }

    /// True for the RFC 2543 hold address `0.0.0.0` (RFC 3264 8.4); `::` is treated alike because some
    /// IPv6 stacks copied the idiom. Media must not be sent to such an address.
    public var isHoldAddress: Bool { address == "0.0.0.0" || address == "::" }
}

/// `b=<bwtype>:<bandwidth>` (e.g. `AS:64`, `TIAS:64000`).
public struct SDPBandwidth: Sendable, Hashable {
    /// Modifier such as `AS`, `CT`, `TIAS`, `RS`, `RR`.
    public var type: String
    /// Value in the unit of the modifier (kbit/s for AS and CT).
    public var value: Int

    /// Creates a bandwidth line.
    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }
}

/// `t=<start-time> <stop-time>` (NTP seconds; `0 0` means unbounded).
public struct SDPTiming: Sendable, Hashable {
    /// Start time, 0 for "now".
    public var start: UInt64
    /// Stop time, 0 for "never".
    public var stop: UInt64

    /// Creates a timing line.
    public init(start: UInt64, stop: UInt64) {
        self.start = start
        self.stop = stop
    }
}

/// A field kept verbatim: its type letter and the text after `=`.
public struct SDPField: Sendable, Hashable {
    /// Type letter, e.g. `i` or `k`.
    public var type: Character
    /// Everything after `=`.
    public var value: String

    /// Creates a verbatim field.
    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}

/// `a=<name>` or `a=<name>:<value>`, kept raw so unknown attributes survive a round trip.
public struct SDPAttribute: Sendable, Hashable {
    /// Attribute name, e.g. `rtpmap`, `sendonly`.
    public var name: String
    /// Text after the first colon; nil for property attributes such as `a=sendrecv`.
    public var value: String?

    /// Creates an attribute.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
