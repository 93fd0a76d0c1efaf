public import SIPCore

/// The media a new call needs before it can be answered: the driver binds `localRTPPort`,
/// sends RTP per `media`, and reports `mediaOpened` or `mediaFailed`.
public struct MediaPlan: Sendable, Hashable {
    /// The SIP Call-ID (the call's key everywhere).
    public var callID: String
    /// Our RTP port (the SDP answer already names it).
    public var localRTPPort: Int
    /// What the SDP exchange settled: remote address and port, codec, telephone-event.
    public var media: NegotiatedMedia
    /// The caller's number (From user part), for the dialog engine's ANI.
    public var callerNumber: String
    /// The number dialled (Request-URI user part).
    public var calledNumber: String
}

/// Timers the controller asks its driver to run; each fires back as `.timerFired(id)`.
public enum CallTimerID: Sendable, Hashable {
    /// An INVITE server transaction timer (G, H, I, L).
    case invite(callID: String, InviteServerTransaction<SIPMessage>.Timer)
    /// Retransmit the 200 OK until the ACK (RFC 3261 13.3.1.4).
    case successRetransmit(callID: String)
    /// Answer after `answerDelayMs` of ringing.
    case answer(callID: String)
    /// Retransmit our BYE until its response.
    case byeRetransmit(callID: String)
    /// Timer J of a non-INVITE server transaction (key: branch and method).
    case nonInvite(key: String)
    /// Retransmit our REFER until a response (timer E; gives up at 64·T1, timer F).
    case referRetransmit(callID: String)
    /// The REFER was accepted but no final NOTIFY came in `transferTimeoutMs`.
    case transferTimeout(callID: String)
    /// A timer (G, H, I, L) of the caller's re-INVITE transaction with this top Via branch.
    case reinvite(callID: String, branch: String, InviteServerTransaction<SIPMessage>.Timer)
    /// Retransmit the 200 OK of the re-INVITE with this branch until its ACK.
    case reinviteSuccessRetransmit(callID: String, branch: String)
    /// A timer of a bridged transfer's agent leg (keyed by the agent leg's Call-ID).
    case bridge(callID: String, BridgeTimer)
}

/// How a blind transfer by REFER ended.
public enum TransferOutcome: Sendable, Hashable {
    /// A NOTIFY carried a 2xx sipfrag: the caller is with the agent; we sent BYE. Or, in a
    /// bridged transfer, the agent answered: the call goes on (relayed) until either side hangs up.
    case transferred
    /// The REFER was refused or timed out, a NOTIFY carried a final non-2xx, or no final
    /// NOTIFY came in time: `detail` says which (for logs; no caller data in it).
    case failed(detail: String)
}
