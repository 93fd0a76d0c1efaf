/// Symmetric RTP (RFC 4961 practice, "comedia"): decides where to send a call's RTP.
///
/// A caller behind NAT sends from a different address than its SDP says; the gateway must
/// answer to the address packets really come from. Until packets arrive, media goes to the
/// SDP address. The latch moves to a source after `packetsToLatch` consecutive valid packets
/// from it (valid: a negotiated payload type and, once known, the expected SSRC), and moves
/// again only after `packetsToRelatch` consecutive valid packets from one other source with
/// none from the latched one in between (a NAT rebinding or a media relay change), so a few
/// injected or stray packets cannot hijack the stream. Generic over the address type so the
/// core needs no socket types.
public struct SymmetricRTPLatch<Address: Hashable & Sendable>: Sendable {
    /// What an observed packet meant.
    public enum Decision: Sendable, Hashable {
        /// From the latched source (or, before latching, a plausible one): use the packet.
        case accept
        /// This packet completed the latch to `address`: use it; send there from now on.
        case latched(Address)
        /// The source changed for good from one address to another: use it; send there.
        case relatched(from: Address, to: Address)
        /// Not from the latched source, or not a negotiated payload type / SSRC: drop it.
        case reject
    }

    /// Payload types from the SDP answer (codecs, telephone-event, comfort noise).
    public let payloadTypes: Set<UInt8>
    /// Consecutive packets from a new source before the first latch.
    public let packetsToLatch: Int
    /// Consecutive packets from another source before re-latching.
    public let packetsToRelatch: Int
    /// Where to send now: the latched source, else the SDP address.
    public private(set) var remoteAddress: Address?
    /// Whether the address was learnt from received packets.
    public private(set) var isLatched = false
    /// The SSRC the latched source sends with (learnt unless given).
    public private(set) var ssrc: UInt32?

    private var candidate: Address?
    private var candidateSSRC: UInt32?
    private var candidateCount = 0

    /// A latch sending to `signalledAddress` (SDP `c=`/`m=`) until real packets decide.
    public init(signalledAddress: Address?, payloadTypes: Set<UInt8>, expectedSSRC: UInt32? = nil,
                packetsToLatch: Int = 2, packetsToRelatch: Int = 10) {
        precondition(packetsToLatch >= 1 && packetsToRelatch >= 1)
        self.remoteAddress = signalledAddress
        self.payloadTypes = payloadTypes
        self.ssrc = expectedSSRC
        self.packetsToLatch = packetsToLatch
        self.packetsToRelatch = packetsToRelatch
    }

    /// Observes a parsed RTP packet from `source`.
    public mutating func observe(source: Address, ssrc packetSSRC: UInt32, payloadType: UInt8) -> Decision {
        guard payloadTypes.contains(payloadType) else { return .reject }
        if isLatched, source == remoteAddress {
            candidate = nil
            candidateCount = 0
            ssrc = packetSSRC  // the address is the anchor: a far end may restart its SSRC
            return .accept
        }
        if !isLatched, let expected = ssrc, packetSSRC != expected { return .reject }
        if candidate == source, candidateSSRC == packetSSRC {
            candidateCount += 1
        } else {
            candidate = source
            candidateSSRC = packetSSRC
            candidateCount = 1
        }
        let needed = isLatched ? packetsToRelatch : packetsToLatch
        guard candidateCount >= needed else { return isLatched ? .reject : .accept }
        let previous = remoteAddress
        let wasLatched = isLatched
        remoteAddress = source
        ssrc = packetSSRC
        isLatched = true
        candidate = nil
        candidateCount = 0
        if wasLatched, let previous { return .relatched(from: previous, to: source) }
        return .latched(source)
    }
}
