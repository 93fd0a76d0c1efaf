public import NIOCore
public import SIPCore

/// A peer type that knows which transport it was reached on. `CallController` asks its `Peer`
/// for this (by a cast, so plain peers such as the tests' `String` stay UDP without change).
public protocol SIPTransportAware {
    /// The transport messages to and from this peer use.
    var transport: SIPTransport { get }
}

/// Where a SIP message came from and where its answers go: the transport and the remote
/// address. For UDP that is the datagram's source; for TCP the connection's remote end, which
/// identifies the connection (the driver keeps one connection per flow), so responses and our
/// in-dialog requests go back on the connection the caller opened (RFC 3261 §18.2.2).
public struct SIPFlow: Sendable, Hashable, SIPTransportAware, CustomStringConvertible {
    /// UDP or TCP.
    public var transport: SIPTransport
    /// The far end's address.
    public var remote: SocketAddress

    /// A flow on `transport` to `remote`.
    public init(transport: SIPTransport, remote: SocketAddress) {
        self.transport = transport
        self.remote = remote
    }

    /// `tcp:[127.0.0.1]:5070`-style text for logs.
    public var description: String { "\(transport.rawValue):\(remote)" }
}

extension CallController {
    /// The transport `peer` was reached on: its own when it says (`SIPTransportAware`), else UDP.
    func transport(of peer: Peer) -> SIPTransport {
        (peer as? any SIPTransportAware)?.transport ?? .udp
    }
}
