/// The transport a SIP message travelled on (RFC 3261 §18): what goes in Via, in a Contact's
/// `transport` parameter, and whether the transaction layer retransmits.
public enum SIPTransport: String, Sendable, Hashable, CaseIterable {
    /// Datagrams: messages are retransmitted by the transaction layer (timers A, E, G).
    case udp
    /// A stream: framed by Content-Length; the connection delivers, so no retransmissions.
    case tcp

    /// The token in a Via's sent-protocol (`SIP/2.0/UDP`, `SIP/2.0/TCP`).
    public var viaToken: String { rawValue.uppercased() }

    /// Whether transactions on this transport retransmit (unreliable) or not (reliable).
    public var reliability: SIPTransportReliability { self == .udp ? .unreliable : .reliable }

    /// The `;transport=` URI parameter our Contact carries for this transport; nil for UDP,
    /// the default, so UDP Contacts stay as they were.
    public var uriParameter: String? { self == .udp ? nil : rawValue }

    /// The transport a Via's sent-protocol token names (`UDP`, `tcp`), or nil if unknown.
    public init?(viaToken: String) {
        self.init(rawValue: SIPSyntax.asciiLowercased(viaToken))
    }
}
