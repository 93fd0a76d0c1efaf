public import SIPCore

/// The media a bridged transfer needs: the driver binds both RTP ports, keeps the caller
/// company (comfort noise) until `connect`, then relays RTP both ways.
public struct BridgePlan: Sendable, Hashable {
    /// The caller's SIP Call-ID (the call's key everywhere, and the context key).
    public var callID: String
    /// The Call-ID of our INVITE to the agent.
    public var agentCallID: String
    /// The caller leg's RTP port (the one the caller already sends to).
    public var callerRTPPort: Int
    /// The caller leg as negotiated at answer time (address, port, codec, telephone-event).
    public var callerMedia: NegotiatedMedia
    /// The agent leg's RTP port (named in our offer to the agent).
    public var agentRTPPort: Int
    /// Why the REFER failed (for the log and trace).
    public var referFailure: String
}

/// Commands for the driver's bridge media (one bridge per caller call).
public enum BridgeCommand: Sendable, Hashable {
    /// The REFER failed: bind both legs' ports and play comfort noise to the caller.
    case open(BridgePlan)
    /// The agent answered with `agent`: relay RTP between the legs.
    case connect(callID: String, agent: NegotiatedMedia)
    /// The agent leg failed: play the sorry prompt (if the catalog has one) to the caller, then
    /// report the end of the call with `reason` (the controller then sends BYE).
    case fail(callID: String, reason: String)
    /// The call is over: stop relaying and close both ports.
    case close(callID: String)
}

/// Timers of the agent leg of a bridged transfer.
public enum BridgeTimer: Sendable, Hashable {
    /// A timer of the INVITE client transaction (A, B, D, M).
    case transaction(InviteClientTransaction.Timer)
    /// The agent did not answer within `transferTimeoutMs`: CANCEL, transfer failed.
    case answer
    /// Retransmit our BYE to the agent.
    case byeRetransmit
    /// Retransmit our CANCEL to the agent.
    case cancelRetransmit
}
