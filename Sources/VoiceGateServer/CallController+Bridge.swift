import SIPCore

/// The bridged fallback of a transfer (`transferMode == .referThenBridge`): when the caller's
/// phone refuses or fails our REFER, the caller is not dropped. VoiceGate keeps their call up
/// (comfort noise), calls the agent URI itself as a UAC (new Call-ID, the caller's From
/// identity with our tag, the same `User-to-User` and `X-VoiceGate-Context-Id` as the REFER,
/// an SDP offer with the caller leg's codec on a new RTP port), and once the agent answers the
/// driver relays RTP between the two legs (`BridgeCommand`).
///
/// Agent leg outcomes: 2xx → ACK, `connect`, `transferred`; ≥ 300, no response (timer B) or no
/// answer within `transferTimeoutMs` (CANCEL once a 1xx came) → `transfer_failed` and
/// `BridgeCommand.fail` (sorry prompt, then the driver reports the end and the caller gets
/// BYE). A BYE from either side ends both legs.
extension CallController {
    /// Starts the bridge after the REFER failed; nil when it cannot (no agent address, no RTP
    /// port, the caller's SDP unreadable): the caller then gets BYE as in `.refer` mode.
    mutating func startBridge(_ callID: String, referFailure: String) -> [Action]? {
        guard let agentPeer = configuration.agentPeer, var call = calls[callID], call.phase == .transferring,
              let callerPort = call.localRTPPort, let callerMedia = callerMedia(of: call) else { return nil }
        guard let agentPort = ports.take() else { return nil }
        let contextKey = call.refer?.headers["X-VoiceGate-Context-Id"] ?? callID
        let codec = SDPCodec(name: callerMedia.codec.name, clockRate: callerMedia.codec.clockRate,
                             channels: callerMedia.codec.channels, payloadType: callerMedia.codec.payloadType)
        var negotiator = SDPNegotiator(configuration: .init(
            codecs: [codec], telephoneEvent: callerMedia.telephoneEventPayloadType != nil,
            address: configuration.host, port: agentPort, sessionID: UInt64(agentPort)))
        let offer = negotiator.makeOffer()
        let agentCallID = nextToken() + "@" + configuration.host

        var target = SIPURI(configuration.agentQueueURI) ?? SIPURI(user: "agents", host: configuration.host)
        target.headers = SIPParameters()  // embedded headers belong in a Refer-To, not a Request-URI
        // The caller's identity (the agent sees the number that called), with our own tag.
        var from = call.invite.from ?? SIPNameAddress(uri: SIPURI(user: "voicegate", host: configuration.host))
        from.parameters = SIPParameters()
        from.parameters.set("tag", nextToken())
        var headers = SIPHeaders()
        headers.add(name: "Via", value: "SIP/2.0/UDP \(hostPort);branch=\(SIPVia.magicCookie)\(nextToken());rport")
        headers.add(name: "Max-Forwards", value: "70")
        headers.add(name: "From", value: "\(from)")
        headers.add(name: "To", value: "<\(target)>")
        headers.add(name: "Call-ID", value: agentCallID)
        headers.add(name: "CSeq", value: "1 INVITE")
        headers.add(name: "Contact", value: "<sip:voicegate@\(hostPort)>")
        headers.add(name: "Allow", value: Self.allow)
        headers.add(name: "User-Agent", value: configuration.agent)
        headers.add(name: "User-to-User", value: UserToUser.value(forKey: contextKey))
        headers.add(name: "X-VoiceGate-Context-Id", value: contextKey)
        headers.add(name: "Content-Type", value: "application/sdp")
        let invite = SIPMessage(method: .invite, uri: target, headers: headers, body: Array(offer.serialized.utf8))

        var leg = BridgeLeg(callerCallID: callID, callID: agentCallID, agentPeer: agentPeer,
                            transaction: InviteClientTransaction(invite: invite, timers: configuration.timers,
                                                                 reliability: .unreliable),
                            negotiator: negotiator, localRTPPort: agentPort)
        leg.referFailure = referFailure
        bridges[agentCallID] = leg
        call.phase = .bridging
        calls[callID] = call
        let plan = BridgePlan(callID: callID, agentCallID: agentCallID, callerRTPPort: callerPort,
                              callerMedia: callerMedia, agentRTPPort: agentPort, referFailure: referFailure)
        var actions: [Action] = [.cancelTimer(.referRetransmit(callID: callID)),
                                 .cancelTimer(.transferTimeout(callID: callID)),
                                 .bridge(.open(plan))]
        actions += runTransaction(agentCallID, .start, from: nil)
        actions.append(.startTimer(.bridge(callID: agentCallID, .answer), milliseconds: configuration.transferTimeoutMs))
        return actions
    }

    /// The caller leg's media as negotiated when the call was answered (the same negotiation
    /// run again on the INVITE's offer: it is deterministic).
    func callerMedia(of call: Call) -> NegotiatedMedia? {
        guard let port = call.localRTPPort else { return nil }
        var negotiator = SDPNegotiator(configuration: .init(codecs: configuration.codecs, address: configuration.host,
                                                            port: port, sessionID: 1))
        guard case .success(let result) = negotiator.answer(toBody: String(decoding: call.invite.body, as: UTF8.self)) else {
            return nil
        }
        return result.media
    }

    /// Messages of an agent leg that do not go through the UAS paths: responses (INVITE,
    /// BYE, CANCEL) and re-INVITEs. Nil: not an agent leg's (or a request `request()` handles).
    mutating func bridgeMessage(_ message: SIPMessage, from peer: Peer) -> [Action]? {
        guard let legID = message.callID, let leg = bridges[legID] else { return nil }
        if message.isRequest {
            guard message.method == .invite else { return nil }  // BYE etc.: `agentDialogRequest`
            // A re-INVITE from the agent: the session stays as it is, as for callers.
            let response = SIPResponseBuilder.response(
                to: message, status: 488,
                extraHeaders: SIPHeaders(["Warning": "399 \(configuration.agent) \"re-INVITE not supported yet\""]))
            return [.send(response, to: peer)]
        }
        guard let status = message.status else { return [] }
        switch message.cSeq?.method {
        case .invite?:
            return runTransaction(legID, .received(message), from: peer)
        case .bye? where status >= 200 && leg.phase == .ending:
            return forgetLeg(legID) + [.cancelTimer(.bridge(callID: legID, .byeRetransmit))]
        case .cancel? where status >= 200:
            bridges[legID]?.cancelRetransmitter?.ackReceived()
            return [.cancelTimer(.bridge(callID: legID, .cancelRetransmit))]
        default:
            return []
        }
    }

    /// A non-INVITE request in an agent leg's dialog (already inside a server transaction):
    /// the final response and what follows. Nil: not an agent leg's.
    mutating func agentDialogRequest(_ request: SIPMessage, method: SIPMethod) -> (SIPMessage, [Action])? {
        guard let legID = request.callID, let leg = bridges[legID] else { return nil }
        let plain = { (status: Int) in SIPResponseBuilder.response(to: request, status: status) }
        guard let tag = request.to?.tag, tag == leg.invite.from?.tag else { return (plain(481), []) }
        switch method {
        case .bye:
            guard leg.phase == .connected || leg.phase == .ending else { return (plain(481), []) }
            let wasConnected = leg.phase == .connected
            var more = forgetLeg(legID) + [.cancelTimer(.bridge(callID: legID, .byeRetransmit))]
            if wasConnected { more += hangUp(leg.callerCallID, reason: "agent hung up") }
            return (plain(200), more)
        case .options, .info, .notify:
            return (plain(200), [])
        default:
            return (SIPResponseBuilder.response(to: request, status: 501, extraHeaders: SIPHeaders(["Allow": Self.allow])), [])
        }
    }

    /// Ends the bridge of a caller's call (caller BYE, hang-up, shutdown): BYE to a connected
    /// agent, CANCEL to a ringing one, and `close` for the driver.
    mutating func endBridge(_ callerCallID: String) -> [Action] {
        let legIDs = bridges.filter { $0.value.callerCallID == callerCallID }.map(\.key).sorted()
        guard calls[callerCallID]?.phase == .bridging || !legIDs.isEmpty else { return [] }
        var actions: [Action] = []
        for legID in legIDs {
            guard let leg = bridges[legID] else { continue }
            switch leg.phase {
            case .inviting:
                actions += cancelAgent(legID)
                actions += markFailed(legID)
            case .connected:
                actions += byeAgent(legID)
            case .failed, .ending:
                break
            }
        }
        return actions + [.bridge(.close(callID: callerCallID))]
    }

    /// Feeds the agent leg's INVITE transaction and turns its actions into ours.
    private mutating func runTransaction(_ legID: String, _ event: InviteClientTransaction.Event, from peer: Peer?) -> [Action] {
        guard var leg = bridges[legID] else { return [] }
        let steps = leg.transaction.handle(event)
        bridges[legID] = leg
        var actions: [Action] = []
        for step in steps {
            switch step {
            case .send(let message): actions.append(.send(message, to: leg.agentPeer))
            case let .startTimer(timer, ms): actions.append(.startTimer(.bridge(callID: legID, .transaction(timer)), milliseconds: ms))
            case .cancelTimer(let timer): actions.append(.cancelTimer(.bridge(callID: legID, .transaction(timer))))
            case .deliver(let response): actions += agentResponded(legID, response, from: peer ?? leg.agentPeer)
            case .timedOut: actions += failLeg(legID, detail: "no response from the agent")
            case .terminated:
                if bridges[legID]?.phase == .failed { bridges[legID] = nil }
            }
        }
        return actions
    }

    /// A response to our INVITE, as the transaction delivers it.
    private mutating func agentResponded(_ legID: String, _ response: SIPMessage, from peer: Peer) -> [Action] {
        guard var leg = bridges[legID], let status = response.status else { return [] }
        if status < 200 {
            // A 1xx after we gave up: now the CANCEL may go (RFC 3261 9.1).
            return leg.phase == .failed ? cancelAgent(legID) : []
        }
        guard status < 300 else {
            return leg.phase == .inviting ? failLeg(legID, detail: "\(status) from the agent") : []
        }
        // Every 2xx gets the ACK (retransmitted 2xx: our ACK was lost); the first sets the dialog up.
        if leg.ack == nil {
            leg.remoteTo = response.headers["To"]
            if case .addresses(let contacts)? = response.contact, let first = contacts.first { leg.remoteTarget = first.uri }
            leg.routeSet = response.headers.listValues("Record-Route").reversed()
            leg.dialogPeer = peer
            leg.ack = leg.makeAck(branch: SIPVia.magicCookie + nextToken(), agent: configuration.agent)
        }
        var actions: [Action] = leg.ack.map { [.send($0, to: leg.dialogPeer ?? peer)] } ?? []
        switch leg.phase {
        case .inviting:
            let answer = leg.negotiator.accept(answerBody: String(decoding: response.body, as: UTF8.self))
            bridges[legID] = leg
            switch answer {
            case .success(let media):
                bridges[legID]?.phase = .connected
                actions += [.cancelTimer(.bridge(callID: legID, .answer)),
                            .bridge(.connect(callID: leg.callerCallID, agent: media)),
                            .transferFinished(callID: leg.callerCallID, outcome: .transferred)]
            case .failure(let error):
                actions += failLeg(legID, detail: "the agent's SDP answer: \(error)")
                actions += byeAgent(legID)
            }
        case .failed:
            bridges[legID] = leg
            actions += byeAgent(legID)  // answered after we gave up
        case .connected, .ending:
            bridges[legID] = leg
        }
        return actions
    }

    /// The agent leg failed while ringing: the caller hears the sorry prompt, then gets BYE.
    private mutating func failLeg(_ legID: String, detail: String) -> [Action] {
        guard let leg = bridges[legID], leg.phase == .inviting else { return [] }
        var actions = markFailed(legID)
        guard calls[leg.callerCallID]?.phase == .bridging else { return actions }
        let summary = "REFER: \(leg.referFailure); bridge: \(detail)"
        actions.append(.transferFinished(callID: leg.callerCallID, outcome: .failed(detail: summary)))
        actions.append(.bridge(.fail(callID: leg.callerCallID, reason: "transfer_failed (\(summary))")))
        return actions
    }

    /// The leg is given up: its port goes back, the answer timer stops; the transaction lives on
    /// (it ACKs a late error response; a late 2xx gets ACK and BYE).
    private mutating func markFailed(_ legID: String) -> [Action] {
        guard var leg = bridges[legID] else { return [] }
        leg.phase = .failed
        if let port = leg.localRTPPort { ports.release(port) }
        leg.localRTPPort = nil
        bridges[legID] = leg
        if leg.transaction.state == .terminated { bridges[legID] = nil }
        return [.cancelTimer(.bridge(callID: legID, .answer))]
    }

    /// CANCEL of a ringing agent leg (only after a 1xx, RFC 3261 9.1; before it, timer B or
    /// the 1xx handling sends it).
    private mutating func cancelAgent(_ legID: String) -> [Action] {
        guard var leg = bridges[legID], leg.cancel == nil, leg.transaction.state == .proceeding else { return [] }
        let cancel = leg.makeCancel()
        let retransmitter = SuccessRetransmitter(timers: configuration.timers)
        leg.cancel = cancel
        leg.cancelRetransmitter = retransmitter
        bridges[legID] = leg
        return [.send(cancel, to: leg.agentPeer),
                .startTimer(.bridge(callID: legID, .cancelRetransmit), milliseconds: retransmitter.firstDelay)]
    }

    /// BYE to the agent (the leg's dialog exists), retransmitted until a response.
    private mutating func byeAgent(_ legID: String) -> [Action] {
        guard var leg = bridges[legID], leg.remoteTo != nil, leg.bye == nil else { return [] }
        let bye = leg.makeInDialogRequest(.bye, branch: SIPVia.magicCookie + nextToken(), agent: configuration.agent)
        let retransmitter = SuccessRetransmitter(timers: configuration.timers)
        leg.bye = bye
        leg.byeRetransmitter = retransmitter
        leg.phase = .ending
        if let port = leg.localRTPPort { ports.release(port) }
        leg.localRTPPort = nil
        bridges[legID] = leg
        return [.send(bye, to: leg.dialogPeer ?? leg.agentPeer),
                .startTimer(.bridge(callID: legID, .byeRetransmit), milliseconds: retransmitter.firstDelay)]
    }

    /// Forgets a leg whose dialog is over; its port goes back.
    private mutating func forgetLeg(_ legID: String) -> [Action] {
        guard let leg = bridges.removeValue(forKey: legID) else { return [] }
        if let port = leg.localRTPPort { ports.release(port) }
        return []
    }

    /// A timer of an agent leg.
    mutating func bridgeTimerFired(_ legID: String, _ timer: BridgeTimer) -> [Action] {
        guard var leg = bridges[legID] else { return [] }
        switch timer {
        case .transaction(let t):
            return runTransaction(legID, .timerFired(t), from: nil)
        case .answer:
            guard leg.phase == .inviting else { return [] }
            let cancel = cancelAgent(legID)
            return cancel + failLeg(legID, detail: "no answer in \(configuration.transferTimeoutMs) ms")
        case .byeRetransmit:
            guard leg.phase == .ending, var retransmitter = leg.byeRetransmitter, let bye = leg.bye else { return [] }
            let steps = retransmitter.tick()
            leg.byeRetransmitter = retransmitter
            bridges[legID] = leg
            var actions: [Action] = []
            for step in steps {
                switch step {
                case .retransmit: actions.append(.send(bye, to: leg.dialogPeer ?? leg.agentPeer))
                case .scheduleNext(let ms): actions.append(.startTimer(.bridge(callID: legID, .byeRetransmit), milliseconds: ms))
                case .giveUp: actions += forgetLeg(legID)
                }
            }
            return actions
        case .cancelRetransmit:
            guard var retransmitter = leg.cancelRetransmitter, let cancel = leg.cancel else { return [] }
            let steps = retransmitter.tick()
            leg.cancelRetransmitter = retransmitter
            bridges[legID] = leg
            var actions: [Action] = []
            for step in steps {
                switch step {
                case .retransmit: actions.append(.send(cancel, to: leg.agentPeer))
                case .scheduleNext(let ms): actions.append(.startTimer(.bridge(callID: legID, .cancelRetransmit), milliseconds: ms))
                case .giveUp: break  // the INVITE transaction's own timers end the leg
                }
            }
            return actions
        }
    }
}
