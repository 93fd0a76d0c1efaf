import SIPCore

/// re-INVITEs from the caller inside an established dialog (RFC 3261 14.2, RFC 3264 8).
///
/// Each re-INVITE is its own INVITE server transaction (keyed by its top Via branch, so its
/// retransmissions and the ACK of an error response find it). Its offer is answered by the call's
/// `SDPNegotiator`, which keeps the `o=` session id and steps the version by one only when the answer
/// differs from what we sent last (an unchanged offer, a session refresh, gets an identical body).
/// What follows:
/// - hold (`a=sendonly`, `a=inactive`, or `c=0.0.0.0`) → answer `recvonly`/`inactive`; resume
///   (`sendrecv`) → answer `sendrecv`; another codec or RTP address → answered, and
///   `updateMedia` tells the media loop (which pauses prompts and no-input timers while held).
/// - no common codec → 488 with a Warning (400 for an unreadable body); the call keeps its media.
/// - no body → our offer in the 200, the answer from the ACK (no usable answer: BYE).
/// - a re-INVITE while the initial INVITE or another re-INVITE is still waiting for its ACK → 491
///   (RFC 3261 14.2); a lower CSeq than the last INVITE's → 500.
/// The 200 is retransmitted until its ACK (matched by CSeq number, as a 2xx ACK is its own
/// transaction); no ACK in 64·T1 ends the call with BYE, as for the initial INVITE.
extension CallController {
    /// One re-INVITE transaction of the caller and, after its 2xx, the wait for the ACK.
    struct Reinvite: Sendable {
        var request: SIPMessage
        var peer: Peer
        var transaction: InviteServerTransaction<SIPMessage>
        var success: SIPMessage?
        var retransmitter: SuccessRetransmitter?
        /// The re-INVITE had no offer: our offer is in the 2xx, the ACK carries the answer.
        var offerInSuccess = false
        var acknowledged = false

        /// A 2xx went out and no ACK came yet: the offer/answer exchange is not finished.
        var awaitingAck: Bool { success != nil && !acknowledged }
    }

    /// A new INVITE in a dialog we know (or the retransmission of one).
    mutating func reinvite(_ request: SIPMessage, callID: String, branch: String, from peer: Peer) -> [Action] {
        guard var call = calls[callID] else { return [] }
        if var existing = call.reinvites[branch] {  // a retransmission: its transaction answers
            let actions = existing.transaction.handle(.requestRetransmitted)
            call.reinvites[branch] = existing
            calls[callID] = call
            return mapReinvite(actions, callID: callID, branch: branch)
        }
        guard request.to?.tag == call.toTag, call.isLive else {
            return [.send(SIPResponseBuilder.response(to: request, status: 481), to: peer)]
        }
        let sequence = request.cSeq?.sequence ?? 0
        guard sequence > call.remoteInviteCSeq else {
            // RFC 3261 12.2.2: a CSeq lower than one already seen is out of order.
            return [.send(SIPResponseBuilder.response(to: request, status: 500, reason: "CSeq Out of Order",
                                                      toTag: call.toTag), to: peer)]
        }
        call.remoteInviteCSeq = sequence
        call.reinvites[branch] = Reinvite(request: request, peer: peer,
                                          transaction: InviteServerTransaction(timers: configuration.timers,
                                                                               reliability: .unreliable))
        let busy = call.phase != .confirmed && call.phase != .transferring
            || call.reinvites.values.contains(where: \.awaitingAck)
        calls[callID] = call
        if busy {
            // Our offer (offerless INVITE) or an answer is not yet confirmed by an ACK.
            return respondToReinvite(callID, branch: branch, status: 491, extra: ["Retry-After": "1"])
        }
        guard var negotiator = call.negotiator else {
            return respondToReinvite(callID, branch: branch, status: 500)
        }
        // RFC 3261 12.2.2: a re-INVITE's Contact replaces the remote target (our BYE, REFER go there).
        if let contact = request.headers["Contact"] { calls[callID]?.invite.headers.replace(name: "Contact", value: contact) }

        guard !request.body.isEmpty else {
            let offer = negotiator.makeOffer(direction: negotiator.localDirection)
            calls[callID]?.negotiator = negotiator
            calls[callID]?.reinvites[branch]?.offerInSuccess = true
            return respondToReinvite(callID, branch: branch, status: 200, extra: contactHeaders(for: call.peer),
                                     body: Array(offer.serialized.utf8))
        }
        let before = negotiator.current
        switch negotiator.answer(toBody: String(decoding: request.body, as: UTF8.self)) {
        case .failure(let error):
            // The negotiator is unchanged on failure: the call keeps its media (RFC 3261 14.2).
            return respondToReinvite(callID, branch: branch, status: error.statusCode,
                                     extra: ["Warning": error.warningHeaderValue(agent: configuration.agent)])
        case .success(let result):
            calls[callID]?.negotiator = negotiator
            var actions = respondToReinvite(callID, branch: branch, status: 200, extra: contactHeaders(for: call.peer),
                                            body: Array(result.body.utf8))
            if result.media != before { actions.append(.updateMedia(callID: callID, media: result.media)) }
            return actions
        }
    }

    /// An ACK that is not the initial INVITE's: of a re-INVITE's error response (same branch) or
    /// of its 2xx (same CSeq number); anything else is a retransmission and ignored.
    mutating func reinviteAck(_ request: SIPMessage, callID: String, branch: String) -> [Action] {
        guard var call = calls[callID] else { return [] }
        if var rejected = call.reinvites[branch], !rejected.awaitingAck {
            let actions = rejected.transaction.handle(.ackReceived)
            call.reinvites[branch] = rejected
            calls[callID] = call
            return mapReinvite(actions, callID: callID, branch: branch)
        }
        guard let sequence = request.cSeq?.sequence,
              let (key, pending) = call.reinvites.first(where: { $0.value.awaitingAck && $0.value.request.cSeq?.sequence == sequence })
        else { return [] }
        var acked = pending
        acked.acknowledged = true
        acked.retransmitter?.ackReceived()
        call.reinvites[key] = acked
        calls[callID] = call
        var actions: [Action] = [.cancelTimer(.reinviteSuccessRetransmit(callID: callID, branch: key))]
        guard acked.offerInSuccess, var negotiator = call.negotiator else { return actions }
        let before = negotiator.current
        switch Self.answer(inAck: request, negotiator: &negotiator) {
        case .success(let media):
            calls[callID]?.negotiator = negotiator
            if media != before { actions.append(.updateMedia(callID: callID, media: media)) }
            return actions
        case .failure(let problem):
            return actions + hangUp(callID, reason: "no usable SDP answer in the ACK of the re-INVITE (\(problem))")
        }
    }

    /// The answer to our outstanding offer in an ACK's body, or why there is none.
    static func answer(inAck ack: SIPMessage, negotiator: inout SDPNegotiator) -> Result<NegotiatedMedia, AckAnswerProblem> {
        guard !ack.body.isEmpty else { return .failure(AckAnswerProblem(description: "the ACK has no body")) }
        switch negotiator.accept(answerBody: String(decoding: ack.body, as: UTF8.self)) {
        case .success(let media): return .success(media)
        case .failure(let error): return .failure(AckAnswerProblem(description: error.description))
        }
    }

    /// A final response on the re-INVITE's transaction; a 2xx starts its retransmission until the ACK.
    mutating func respondToReinvite(_ callID: String, branch: String, status: Int,
                                    extra: KeyValuePairs<String, String> = [:], body: [UInt8] = []) -> [Action] {
        guard var call = calls[callID], var reinvite = call.reinvites[branch] else { return [] }
        var headers = SIPHeaders(extra)
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/sdp") }
        let message = SIPResponseBuilder.response(to: reinvite.request, status: status, toTag: call.toTag,
                                                  extraHeaders: headers, body: body)
        let transactionActions = reinvite.transaction.handle(.send(message, status: status))
        var extraActions: [Action] = []
        if (200..<300).contains(status) {
            let retransmitter = SuccessRetransmitter(timers: configuration.timers)
            reinvite.success = message
            reinvite.retransmitter = retransmitter
            extraActions.append(.startTimer(.reinviteSuccessRetransmit(callID: callID, branch: branch),
                                            milliseconds: retransmitter.firstDelay))
        }
        call.reinvites[branch] = reinvite
        calls[callID] = call
        return mapReinvite(transactionActions, callID: callID, branch: branch) + extraActions
    }

    /// The re-INVITE transaction's actions as ours; a finished transaction is forgotten (unless
    /// its 2xx still waits for the ACK).
    mutating func mapReinvite(_ actions: [InviteServerTransaction<SIPMessage>.Action], callID: String,
                              branch: String) -> [Action] {
        guard let reinvite = calls[callID]?.reinvites[branch] else { return [] }
        var out: [Action] = []
        for action in actions {
            switch action {
            case .sendResponse(let r): out.append(.send(r, to: reinvite.peer))
            case let .startTimer(t, ms): out.append(.startTimer(.reinvite(callID: callID, branch: branch, t), milliseconds: ms))
            case .cancelTimer(let t): out.append(.cancelTimer(.reinvite(callID: callID, branch: branch, t)))
            case .ackTimeout, .terminated:
                if !reinvite.awaitingAck { calls[callID]?.reinvites[branch] = nil }
            }
        }
        return out
    }

    /// A re-INVITE timer: transaction timers go to its transaction; the 2xx retransmission sends
    /// the 200 again or, after 64·T1 without ACK, ends the call with BYE.
    mutating func reinviteTimerFired(_ id: CallTimerID) -> [Action] {
        switch id {
        case let .reinvite(callID, branch, timer):
            guard var call = calls[callID], var reinvite = call.reinvites[branch] else { return [] }
            let actions = reinvite.transaction.handle(.timerFired(timer))
            call.reinvites[branch] = reinvite
            calls[callID] = call
            return mapReinvite(actions, callID: callID, branch: branch)
        case let .reinviteSuccessRetransmit(callID, branch):
            guard var call = calls[callID], call.isLive, var reinvite = call.reinvites[branch], reinvite.awaitingAck,
                  var retransmitter = reinvite.retransmitter, let success = reinvite.success else { return [] }
            let steps = retransmitter.tick()
            reinvite.retransmitter = retransmitter
            call.reinvites[branch] = reinvite
            calls[callID] = call
            var actions: [Action] = []
            for step in steps {
                switch step {
                case .retransmit: actions.append(.send(success, to: reinvite.peer))
                case .scheduleNext(let ms): actions.append(.startTimer(id, milliseconds: ms))
                case .giveUp:
                    calls[callID]?.reinvites[branch] = nil
                    actions += hangUp(callID, reason: "no ACK for the re-INVITE's 200 OK")
                }
            }
            return actions
        default:
            return []
        }
    }
}

/// Why an ACK carried no usable SDP answer (for the BYE's log line).
struct AckAnswerProblem: Error, CustomStringConvertible {
    /// Human text: "the ACK has no body", or the negotiator's reason.
    var description: String
}
