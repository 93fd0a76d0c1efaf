import NIOCore
import RTPCore
import SIPCore

/// How a call's media loop follows a new offer/answer (re-INVITE, or the ACK of an offerless
/// INVITE): the codec, payload types and remote address switch in place (same SSRC, sequence and
/// timestamps continue, RFC 3550 5.1), and hold changes what runs.
///
/// Hold policy (our side `recvonly` or `inactive`, i.e. the caller holds us): no RTP is sent, and
/// the `CallSession` is not stepped, so its clock stops: the prompt pauses where it was and resumes
/// there, and no-input/no-match timers do not count the held time against the caller. Received RTP
/// (music on hold) is dropped rather than heard by the recogniser. The media timeout is paused while
/// the direction is anything but sendrecv (a held or holding party legitimately sends nothing) and
/// restarts in full on resume.
extension CallMedia {
    /// A latch sending to the SDP address until packets decide, accepting the negotiated payload types.
    static func latch(for media: NegotiatedMedia) -> SymmetricRTPLatch<SocketAddress> {
        let signalled = try? SocketAddress(ipAddress: media.remoteAddress, port: media.remoteRTPPort)
        let types = [media.codec.payloadType] + (media.telephoneEventPayloadType.map { [$0] } ?? [])
        return SymmetricRTPLatch(signalledAddress: signalled, payloadTypes: Set(types))
    }

    /// Whether the latch must start over: a new SDP address (send there until packets decide) or
    /// new payload types (the old latch would reject them). A hold address (`0.0.0.0`) keeps the latch.
    static func needsNewLatch(from old: NegotiatedMedia, to new: NegotiatedMedia) -> Bool {
        let moved = (new.remoteAddress != old.remoteAddress || new.remoteRTPPort != old.remoteRTPPort)
            && !new.isHoldAddress
        return moved || new.codec.payloadType != old.codec.payloadType
            || new.telephoneEventPayloadType != old.telephoneEventPayloadType
    }

    /// One line for the log: what changed (no caller data beyond addresses).
    static func describe(from old: NegotiatedMedia, to new: NegotiatedMedia) -> String {
        if old.remoteRTPPort == 0 {  // the placeholder of an offerless INVITE: the ACK's answer
            return "answer in the ACK: \(new.codec.name)/\(new.codec.payloadType) to \(new.remoteAddress):\(new.remoteRTPPort), \(new.direction.rawValue)"
        }
        var parts: [String] = []
        if new.direction != old.direction {
            parts.append(new.isOnHold ? "hold (\(new.direction.rawValue))" : "\(new.direction.rawValue)"
                         + (old.isOnHold ? " (resumed)" : ""))
        }
        if new.codec != old.codec { parts.append("codec \(old.codec.name)/\(old.codec.payloadType) → \(new.codec.name)/\(new.codec.payloadType)") }
        if new.remoteAddress != old.remoteAddress || new.remoteRTPPort != old.remoteRTPPort {
            parts.append("remote \(new.remoteAddress):\(new.remoteRTPPort)")
        }
        return parts.isEmpty ? "no change" : parts.joined(separator: ", ")
    }
}

extension NegotiatedMedia {
    /// The remote `c=` is the RFC 2543 hold address (`0.0.0.0` or `::`).
    var isHoldAddress: Bool { remoteAddress == "0.0.0.0" || remoteAddress == "::" }

    /// The media timeout waits unless both directions flow.
    var pausesMediaTimeout: Bool { direction != .sendrecv }
}
