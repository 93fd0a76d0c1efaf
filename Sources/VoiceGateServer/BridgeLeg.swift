import SIPCore

/// The agent leg of a bridged transfer: our INVITE client transaction to the agent URI, then
/// (once the agent answers) the UAC side of that dialog. Kept by the agent leg's Call-ID so it
/// can outlive the caller's call (a late 2xx after we gave up still gets its ACK and a BYE).
struct BridgeLeg<Peer: Hashable & Sendable>: Sendable {
    enum Phase: Sendable, Equatable {
        /// INVITE out, no final response yet.
        case inviting
        /// 2xx ACKed: media is relayed.
        case connected
        /// We gave up (refused, timeout, no answer, caller gone): a late 2xx gets ACK and BYE.
        case failed
        /// Our BYE is out, waiting for its response.
        case ending
    }

    var phase: Phase = .inviting
    /// The caller's Call-ID.
    let callerCallID: String
    /// This leg's Call-ID.
    let callID: String
    /// Where our INVITE and CANCEL go (the agent URI's address).
    let agentPeer: Peer
    /// Where in-dialog requests go once the agent answered (the 2xx's source).
    var dialogPeer: Peer?
    var transaction: InviteClientTransaction
    var negotiator: SDPNegotiator
    /// Why the REFER failed (kept for the final transfer_failed detail).
    var referFailure = ""
    /// Our RTP port for this leg (back to the pool when the leg fails or ends).
    var localRTPPort: Int?
    /// The To header of the 2xx (with the agent's tag) and the agent's Contact.
    var remoteTo: String?
    var remoteTarget: SIPURI?
    var routeSet: [String] = []
    var localCSeq = 1
    var ack: SIPMessage?
    var bye: SIPMessage?
    var byeRetransmitter: SuccessRetransmitter?
    var cancel: SIPMessage?
    var cancelRetransmitter: SuccessRetransmitter?

    var invite: SIPMessage { transaction.invite }

    init(callerCallID: String, callID: String, agentPeer: Peer, transaction: InviteClientTransaction,
         negotiator: SDPNegotiator, localRTPPort: Int) {
        self.callerCallID = callerCallID
        self.callID = callID
        self.agentPeer = agentPeer
        self.transaction = transaction
        self.negotiator = negotiator
        self.localRTPPort = localRTPPort
    }

    /// The ACK of the agent's 2xx (RFC 3261 13.2.2.4): a new branch, the dialog's Request-URI
    /// and route set, the INVITE's CSeq number.
    func makeAck(branch: String, agent: String) -> SIPMessage {
        makeRequest(.ack, branch: branch, agent: agent, cSeq: Int(invite.cSeq?.sequence ?? 1))
    }

    /// A request in the agent dialog (BYE) with the next CSeq.
    mutating func makeInDialogRequest(_ method: SIPMethod, branch: String, agent: String) -> SIPMessage {
        localCSeq += 1
        return makeRequest(method, branch: branch, agent: agent, cSeq: localCSeq)
    }

    /// The CANCEL of our INVITE (RFC 3261 9.1): same Request-URI, top Via, From, To, Call-ID,
    /// Route; CSeq number of the INVITE.
    func makeCancel() -> SIPMessage {
        var headers = SIPHeaders()
        if let via = invite.headers.listValues("Via").first { headers.add(name: "Via", value: via) }
        headers.add(name: "Max-Forwards", value: "70")
        for name in ["From", "To", "Call-ID"] {
            if let value = invite.headers[name] { headers.add(name: name, value: value) }
        }
        headers.add(name: "CSeq", value: "\(invite.cSeq?.sequence ?? 1) CANCEL")
        for route in invite.headers.listValues("Route") { headers.add(name: "Route", value: route) }
        return SIPMessage(method: .cancel, uri: invite.requestLine?.uri ?? SIPURI(host: "invalid"), headers: headers)
    }

    private func makeRequest(_ method: SIPMethod, branch: String, agent: String, cSeq: Int) -> SIPMessage {
        var headers = SIPHeaders()
        let via = invite.topVia
        let sentBy = via.map { "\($0.host)" + ($0.port.map { ":\($0)" } ?? "") } ?? "invalid"
        headers.add(name: "Via", value: "SIP/2.0/UDP \(sentBy);branch=\(branch);rport")
        headers.add(name: "Max-Forwards", value: "70")
        if let from = invite.headers["From"] { headers.add(name: "From", value: from) }
        headers.add(name: "To", value: remoteTo ?? invite.headers["To"] ?? "")
        headers.add(name: "Call-ID", value: callID)
        headers.add(name: "CSeq", value: "\(cSeq) \(method.rawValue)")
        for route in routeSet { headers.add(name: "Route", value: route) }
        headers.add(name: "User-Agent", value: agent)
        let target = remoteTarget ?? invite.requestLine?.uri ?? SIPURI(host: "invalid")
        return SIPMessage(method: method, uri: target, headers: headers)
    }
}
