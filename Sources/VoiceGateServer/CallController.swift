public import SIPCore
public import VoiceGateDialog

/// The UAS side of VoiceGate's SIP dialogs as a pure state machine: SIP messages, timers and
/// media reports in; messages to send, timers and media commands out. No sockets, no clock,
/// no randomness (tags come from a seeded counter), so every call flow is a plain-value test.
///
/// `Peer` is the transport address type (NIO's `SocketAddress` in the server, `String` in
/// tests). Responses go back to the address the request came from, and our BYE goes to the
/// address the INVITE came from (symmetric signalling, as behind NAT); Via `received`/`rport`
/// routing and DNS are not needed for that.
///
/// Scope of this slice: INVITE with or without an SDP offer (`CallController+Offerless.swift`),
/// re-INVITEs (`CallController+Reinvite.swift`), ACK, BYE both ways, CANCEL, OPTIONS, INFO with `application/dtmf-relay`, and blind transfer
/// by REFER (RFC 3515) with its NOTIFY outcome (see `CallController+Transfer.swift`).
public struct CallController<Peer: Hashable & Sendable>: Sendable {
    /// Settings of the UAS.
    public struct Configuration: Sendable {
        /// Our address as callers reach it: Contact, Via of our requests, SDP `c=`.
        public var host: String
        /// Our SIP port.
        public var port: Int
        /// RTP ports handed to calls.
        public var rtpPorts: ClosedRange<Int>
        /// Calls at once; beyond, INVITEs get 503 with Retry-After.
        public var maxCalls: Int
        /// Seconds in the Retry-After of a 503.
        public var retryAfterSeconds: Int
        /// Ringing time: with a delay, 180 Ringing goes out first and 200 OK after it.
        public var answerDelayMs: Int64
        /// Codecs we answer with, most preferred first.
        public var codecs: [SDPCodec]
        /// RFC 3261 timer values.
        public var timers: SIPTimers
        /// `User-Agent`/`Server` and Warning agent name.
        public var agent: String
        /// Where transfers go: the agent queue's SIP URI, the `Refer-To` of our REFERs.
        public var agentQueueURI: String
        /// After the REFER's 2xx, how long to wait for a NOTIFY with a final sipfrag before the
        /// transfer counts as failed.
        public var transferTimeoutMs: Int64
        /// REFER only, or REFER with the bridged fallback (see `CallController+Bridge.swift`).
        public var transferMode: TransferMode = .referThenBridge
        /// The agent URI's transport address, for the bridged fallback's INVITE; nil: no bridge.
        public var agentPeer: Peer? = nil

        /// A configuration; defaults: 200 calls, Retry-After 5 s, no ringing, PCMU then PCMA,
        /// transfers to `sip:agents@127.0.0.1` with 30 s for the outcome.
        public init(host: String, port: Int, rtpPorts: ClosedRange<Int> = 20000...20999, maxCalls: Int = 200,
                    retryAfterSeconds: Int = 5, answerDelayMs: Int64 = 0, codecs: [SDPCodec] = [.pcmu, .pcma],
                    timers: SIPTimers = SIPTimers(), agent: String = "VoiceGate",
                    agentQueueURI: String = "sip:agents@127.0.0.1", transferTimeoutMs: Int64 = 30_000) {
            self.host = host
            self.port = port
            self.rtpPorts = rtpPorts
            self.maxCalls = maxCalls
            self.retryAfterSeconds = retryAfterSeconds
            self.answerDelayMs = answerDelayMs
            self.codecs = codecs
            self.timers = timers
            self.agent = agent
            self.agentQueueURI = agentQueueURI
            self.transferTimeoutMs = transferTimeoutMs
        }
    }

    /// What happened.
    public enum Event: Sendable {
        /// A parsed, validated SIP message arrived from `from`.
        case received(SIPMessage, from: Peer)
        /// A timer the controller asked for fired.
        case timerFired(CallTimerID)
        /// The call's RTP socket is bound: the call can be answered.
        case mediaOpened(callID: String)
        /// The call's RTP socket could not be bound.
        case mediaFailed(callID: String)
        /// The IVR ended the call (hang-up, media timeout): send BYE.
        case hangUp(callID: String, reason: String)
        /// The IVR wants the caller with an agent: blind transfer by REFER to the agent queue,
        /// carrying `contextKey` (the key the context API resolves) in `User-to-User` and
        /// `X-VoiceGate-Context-Id`.
        case transfer(callID: String, contextKey: String)
        /// The server stops: end every call.
        case shutdown
    }

    /// What the driver must do, in order.
    public enum Action: Sendable {
        /// Send `message` to `to`.
        case send(SIPMessage, to: Peer)
        /// Start (or restart) a timer.
        case startTimer(CallTimerID, milliseconds: Int64)
        /// Cancel a timer (late firings are ignored anyway).
        case cancelTimer(CallTimerID)
        /// Bind the call's RTP socket and prepare its media; report `mediaOpened`/`mediaFailed`.
        case openMedia(MediaPlan)
        /// The dialog is confirmed (ACK): start the IVR session and send media.
        case startMedia(callID: String)
        /// A re-INVITE (hold, resume, codec or address change) or the ACK of an offerless INVITE
        /// settled new media for the call: the media loop switches to it (see `CallMedia`).
        case updateMedia(callID: String, media: NegotiatedMedia)
        /// Stop and close the call's media (no BYE needed from the driver).
        case closeMedia(callID: String)
        /// A key arrived by SIP INFO.
        case keyPressed(callID: String, digit: Character)
        /// The call is over for SIP (for logs and counters).
        case callEnded(callID: String, reason: String)
        /// A transfer finished (a `callEnded` follows: `transferred` or `transfer_failed ...`).
        case transferFinished(callID: String, outcome: TransferOutcome)
        /// Media of a bridged transfer (REFER failed, VoiceGate calls the agent itself).
        case bridge(BridgeCommand)
    }

    /// One call (INVITE server transaction plus dialog).
    struct Call: Sendable {
        enum Phase: Sendable, Equatable {
            /// 100 sent, media being opened.
            case opening
            /// 180 sent, answer timer running.
            case ringing
            /// 200 sent, waiting for the ACK.
            case answered
            /// ACK received: media flowing.
            case confirmed
            /// Final error response sent (rejected, cancelled): the transaction finishes.
            case rejected
            /// Our REFER sent: waiting for its response and the NOTIFY with the outcome.
            case transferring
            /// The REFER failed: our INVITE to the agent runs, or the legs are bridged.
            case bridging
            /// Our BYE sent, waiting for its response.
            case ending
        }
        var phase: Phase
        var invite: SIPMessage
        var inviteBranch: String
        var peer: Peer
        var toTag: String
        var transaction: InviteServerTransaction<SIPMessage>
        var localRTPPort: Int?
        var answerBody: [UInt8] = []
        var success: SIPMessage?
        var successRetransmitter: SuccessRetransmitter?
        var bye: SIPMessage?
        var byeRetransmitter: SuccessRetransmitter?
        var mediaOpen = false
        /// CSeq number of our last request in the dialog (REFER, BYE).
        var localCSeq = 0
        var refer: SIPMessage?
        var referRetransmitter: SuccessRetransmitter?
        /// The REFER got a 2xx: the transfer timeout runs.
        var referAccepted = false
        /// Our side of the SDP offer/answer, kept for re-INVITEs (`CallController+Reinvite.swift`).
        var negotiator: SDPNegotiator?
        /// The INVITE had no offer: our offer went in the 200, the answer must come in the ACK.
        var offerless = false
        /// The caller's re-INVITE transactions by top Via branch (`CallController+Reinvite.swift`).
        var reinvites: [String: Reinvite] = [:]
        /// Highest CSeq number of the caller's INVITEs in this dialog (re-INVITEs must exceed it).
        var remoteInviteCSeq: UInt32 = 0

        var isLive: Bool { phase != .rejected && phase != .ending }
    }

    /// The settings.
    public let configuration: Configuration
    var calls: [String: Call] = [:]
    private var nonInvite: [String: NonInviteServerTransaction<SIPMessage>] = [:]
    var ports: RTPPortPool
    /// Agent legs of bridged transfers, by their own Call-ID.
    var bridges: [String: BridgeLeg<Peer>] = [:]
    private let tagPrefix: String
    private var counter: UInt64 = 0

    /// A controller. `seed` makes tags, branches and SDP session ids unique per process
    /// (pass a random value in production, a fixed one in tests).
    public init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        self.ports = RTPPortPool(range: configuration.rtpPorts)
        self.tagPrefix = String(seed, radix: 36)
    }

    /// Calls not yet over (answered, ringing or being set up).
    public var activeCallCount: Int { calls.values.filter(\.isLive).count }

    /// Call-IDs of the calls not yet over.
    public var activeCallIDs: [String] { calls.filter { $0.value.isLive }.map(\.key).sorted() }

    /// Handles one event; returns the actions to perform in order.
    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case let .received(message, peer):
            if let actions = bridgeMessage(message, from: peer) { return actions }  // the agent leg's
            if message.isRequest { return request(message, from: peer) }
            return response(message)
        case .timerFired(let id):
            return timerFired(id)
        case .mediaOpened(let callID):
            guard var call = calls[callID], call.phase == .opening else { return [] }
            call.mediaOpen = true
            calls[callID] = call
            if configuration.answerDelayMs > 0 {
                calls[callID]?.phase = .ringing
                let ringing = respond(callID, status: 180, extra: contactHeaders(for: call.peer))
                return ringing + [.startTimer(.answer(callID: callID), milliseconds: configuration.answerDelayMs)]
            }
            return answer(callID)
        case .mediaFailed(let callID):
            guard let call = calls[callID], call.phase == .opening else { return [] }
            return reject(callID, status: 503, extra: ["Retry-After": "\(configuration.retryAfterSeconds)"],
                          reason: "media port unavailable")
        case let .hangUp(callID, reason):
            return hangUp(callID, reason: reason)
        case let .transfer(callID, contextKey):
            return startTransfer(callID, contextKey: contextKey)
        case .shutdown:
            return activeCallIDs.flatMap { hangUp($0, reason: "shutdown") }
        }
    }

    // MARK: Requests

    private mutating func request(_ request: SIPMessage, from peer: Peer) -> [Action] {
        guard let method = request.method, let callID = request.callID, let via = request.topVia else {
            return []  // the validator already rejected requests without these
        }
        // RFC 2543 peers send no branch (RFC 4475 3.4.1): the transaction is then named by what
        // RFC 3261 17.2.3 matches such requests on (Call-ID, CSeq number, From tag, Via sent-by).
        let branch = via.branch ?? "rfc2543 \(callID) \(request.cSeq?.sequence ?? 0) \(request.from?.tag ?? "") \(via.host):\(via.port ?? 5060)"

        switch method {
        case .invite:
            return invite(request, callID: callID, branch: branch, from: peer)
        case .ack:
            return ack(request, callID: callID, branch: branch)
        default:
            let key = branch + " " + method.rawValue
            if var transaction = nonInvite[key] {
                let actions = transaction.handle(.requestRetransmitted)
                nonInvite[key] = transaction
                return map(actions, key: key, to: peer)
            }
            let (response, more) = answerNonInvite(request, method: method, callID: callID, branch: branch)
            var transaction = NonInviteServerTransaction<SIPMessage>(timers: configuration.timers,
                                                                     reliability: transport(of: peer).reliability)
            let actions = transaction.handle(.send(response, status: response.status ?? 500))
            nonInvite[key] = transaction
            return map(actions, key: key, to: peer) + more
        }
    }

    private func map(_ actions: [NonInviteServerTransaction<SIPMessage>.Action], key: String, to peer: Peer) -> [Action] {
        actions.compactMap { action in
            switch action {
            case .sendResponse(let r): return .send(r, to: peer)
            case .startTimerJ(let ms): return .startTimer(.nonInvite(key: key), milliseconds: ms)
            case .terminated: return nil
            }
        }
    }

    /// The final response to a non-INVITE request, and what else follows from it.
    private mutating func answerNonInvite(_ request: SIPMessage, method: SIPMethod, callID: String,
                                          branch: String) -> (SIPMessage, [Action]) {
        let plain = { (status: Int, extra: KeyValuePairs<String, String>) in
            SIPResponseBuilder.response(to: request, status: status, extraHeaders: SIPHeaders(extra))
        }
        if let answered = agentDialogRequest(request, method: method) { return answered }
        switch method {
        case .options:
            return (plain(200, ["Allow": Self.allow, "Accept": "application/sdp", "Supported": "",
                                "Server": configuration.agent]), [])
        case .cancel:
            // RFC 3261 9.2: the CANCEL matches the INVITE by Call-ID and top Via branch.
            guard let call = calls[callID], call.inviteBranch == branch else {
                return (plain(481, [:]), [])
            }
            let ok = SIPResponseBuilder.response(to: request, status: 200, toTag: call.toTag)
            guard call.phase == .opening || call.phase == .ringing else { return (ok, []) }
            return (ok, reject(callID, status: 487, extra: [:], reason: "cancelled"))
        case .bye:
            guard let call = matchDialog(request, callID: callID) else { return (plain(481, [:]), []) }
            if call.phase == .opening || call.phase == .ringing {  // BYE in the early dialog
                return (plain(200, [:]), reject(callID, status: 487, extra: [:], reason: "caller hung up before the answer"))
            }
            var more: [Action] = []
            if call.mediaOpen { more.append(.closeMedia(callID: callID)) }
            more += cancelCallTimers(callID)
            more += endBridge(callID)
            release(callID)
            more.append(.callEnded(callID: callID, reason: "caller hung up"))
            return (plain(200, [:]), more)
        case .notify:
            guard let call = matchDialog(request, callID: callID), call.refer != nil,
                  Self.isReferEvent(request.headers["Event"]) else { return (plain(481, [:]), []) }
            return (plain(200, [:]), referNotified(callID, sipfrag: request.body))
        case .info:
            guard matchDialog(request, callID: callID) != nil else { return (plain(481, [:]), []) }
            if request.contentType == "application/dtmf-relay" || request.contentType == "application/dtmf",
               let digit = Self.dtmfDigit(in: request.body) {
                return (plain(200, [:]), [.keyPressed(callID: callID, digit: digit)])
            }
            return (plain(200, [:]), [])
        default:
            guard matchDialog(request, callID: callID) != nil else { return (plain(481, [:]), []) }
            return (plain(501, ["Allow": Self.allow]), [])
        }
    }

    /// The methods this slice handles (Allow of OPTIONS, 501).
    static var allow: String { "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY" }

    /// The live call a request within a dialog belongs to (Call-ID and our To-tag), if any.
    private func matchDialog(_ request: SIPMessage, callID: String) -> Call? {
        guard let call = calls[callID], call.phase != .rejected, let tag = request.to?.tag, tag == call.toTag else {
            return nil
        }
        return call
    }

    private mutating func invite(_ request: SIPMessage, callID: String, branch: String, from peer: Peer) -> [Action] {
        if let existing = calls[callID], existing.phase == .rejected, existing.inviteBranch != branch,
           request.to?.tag == nil {
            calls[callID] = nil  // a new attempt after a rejection (same Call-ID, new transaction)
        }
        if let existing = calls[callID] {
            if existing.inviteBranch == branch {  // a retransmission: its transaction answers
                var transaction = existing.transaction
                let actions = transaction.handle(.requestRetransmitted)
                calls[callID]?.transaction = transaction
                return map(actions, callID: callID)
            }
            if request.to?.tag == nil {
                return [.send(SIPResponseBuilder.response(to: request, status: 482), to: peer)]
            }
            return reinvite(request, callID: callID, branch: branch, from: peer)
        }
        if request.to?.tag != nil {  // in-dialog request for a dialog we do not know
            return [.send(SIPResponseBuilder.response(to: request, status: 481), to: peer)]
        }
        if activeCallCount >= configuration.maxCalls {
            let busy = SIPResponseBuilder.response(to: request, status: 503, toTag: nextToken(),
                                                   extraHeaders: SIPHeaders(["Retry-After": "\(configuration.retryAfterSeconds)"]))
            return [.send(busy, to: peer)]
        }
        let toTag = nextToken()
        var call = Call(phase: .opening, invite: request, inviteBranch: branch, peer: peer, toTag: toTag,
                        transaction: InviteServerTransaction(timers: configuration.timers,
                                                             reliability: transport(of: peer).reliability))
        calls[callID] = call
        var actions = respond(callID, status: 100)

        calls[callID]?.remoteInviteCSeq = request.cSeq?.sequence ?? 0
        guard let port = ports.take() else {
            return actions + reject(callID, status: 503, extra: ["Retry-After": "\(configuration.retryAfterSeconds)"],
                                    reason: "no RTP port free")
        }
        call.localRTPPort = port
        calls[callID]?.localRTPPort = port
        counter += 1
        var negotiator = SDPNegotiator(configuration: .init(codecs: configuration.codecs, address: configuration.host,
                                                            port: port, sessionID: counter))
        guard !request.body.isEmpty else {
            return actions + offerlessInvite(request, callID: callID, port: port, negotiator: &negotiator)
        }
        defer { calls[callID]?.negotiator = negotiator }
        switch negotiator.answer(toBody: String(decoding: request.body, as: UTF8.self)) {
        case .failure(let error):
            return actions + reject(callID, status: error.statusCode,
                                    extra: ["Warning": error.warningHeaderValue(agent: configuration.agent)],
                                    reason: "SDP: \(error)")
        case .success(let result):
            calls[callID]?.answerBody = Array(result.body.utf8)
            let plan = MediaPlan(callID: callID, localRTPPort: port, media: result.media,
                                 callerNumber: request.from?.uri.user ?? "anonymous",
                                 calledNumber: request.requestLine?.uri.user ?? "")
            actions.append(.openMedia(plan))
            return actions
        }
    }

    private mutating func ack(_ request: SIPMessage, callID: String, branch: String) -> [Action] {
        guard var call = calls[callID] else { return [] }
        switch call.phase {
        case .answered where request.cSeq?.sequence == call.invite.cSeq?.sequence:
            call.successRetransmitter?.ackReceived()
            call.phase = .confirmed
            calls[callID] = call
            let confirmed: [Action] = [.cancelTimer(.successRetransmit(callID: callID)), .startMedia(callID: callID)]
            guard call.offerless else { return confirmed }
            return offerlessAck(request, callID: callID, then: confirmed)
        case .rejected where branch == call.inviteBranch:
            let actions = call.transaction.handle(.ackReceived)
            calls[callID] = call
            return map(actions, callID: callID)
        default:
            return reinviteAck(request, callID: callID, branch: branch)  // else ACK retransmissions
        }
    }

    // MARK: Responses to our BYE

    private mutating func response(_ response: SIPMessage) -> [Action] {
        if response.cSeq?.method == .refer { return referAnswered(response) }
        guard let callID = response.callID, let call = calls[callID], call.phase == .ending,
              response.cSeq?.method == .bye, let status = response.status, status >= 200 else { return [] }
        calls[callID] = nil
        return [.cancelTimer(.byeRetransmit(callID: callID))]
    }

    // MARK: Timers

    private mutating func timerFired(_ id: CallTimerID) -> [Action] {
        switch id {
        case let .invite(callID, timer):
            guard var call = calls[callID] else { return [] }
            let actions = call.transaction.handle(.timerFired(timer))
            calls[callID] = call
            return map(actions, callID: callID)
        case .successRetransmit(let callID):
            guard var call = calls[callID], call.phase == .answered, var retransmitter = call.successRetransmitter,
                  let success = call.success else { return [] }
            let steps = retransmitter.tick()
            call.successRetransmitter = retransmitter
            calls[callID] = call
            var actions: [Action] = []
            for step in steps {
                switch step {
                case .retransmit: actions.append(.send(success, to: call.peer))
                case .scheduleNext(let ms): actions.append(.startTimer(id, milliseconds: ms))
                case .giveUp: actions += hangUp(callID, reason: "no ACK for the 200 OK")
                }
            }
            return actions
        case .answer(let callID):
            guard calls[callID]?.phase == .ringing else { return [] }
            return answer(callID)
        case .byeRetransmit(let callID):
            guard var call = calls[callID], call.phase == .ending, var retransmitter = call.byeRetransmitter,
                  let bye = call.bye else { return [] }
            let steps = retransmitter.tick()
            call.byeRetransmitter = retransmitter
            calls[callID] = call
            var actions: [Action] = []
            for step in steps {
                switch step {
                case .retransmit: actions.append(.send(bye, to: call.peer))
                case .scheduleNext(let ms): actions.append(.startTimer(id, milliseconds: ms))
                case .giveUp: calls[callID] = nil  // timer F: the far end is gone
                }
            }
            return actions
        case .nonInvite(let key):
            guard var transaction = nonInvite[key] else { return [] }
            _ = transaction.handle(.timerJFired)
            nonInvite[key] = nil
            return []
        case .referRetransmit(let callID):
            return referRetransmitFired(callID)
        case .transferTimeout(let callID):
            guard let call = calls[callID], call.phase == .transferring, call.referAccepted else { return [] }
            return transferFinished(callID, .failed(detail: "no final NOTIFY in \(configuration.transferTimeoutMs) ms"))
        case .reinvite, .reinviteSuccessRetransmit:
            return reinviteTimerFired(id)
        case let .bridge(callID, timer):
            return bridgeTimerFired(callID, timer)
        }
    }

    // MARK: Steps

    /// Contact (where in-dialog requests reach us, on the caller's transport) and Allow, for 18x and 2xx.
    func contactHeaders(for peer: Peer) -> KeyValuePairs<String, String> {
        ["Contact": contactAddress(for: peer), "Allow": Self.allow]
    }

    /// Our Contact as a name-addr: `<sip:voicegate@host:port>`, with `;transport=tcp` for TCP callers.
    func contactAddress(for peer: Peer) -> String {
        let parameter = transport(of: peer).uriParameter.map { ";transport=\($0)" } ?? ""
        return "<sip:voicegate@\(hostPort)\(parameter)>"
    }

    var hostPort: String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(configuration.port)" : "\(configuration.host):\(configuration.port)"
    }

    /// Sends a response on the call's INVITE transaction.
    private mutating func respond(_ callID: String, status: Int, extra: KeyValuePairs<String, String> = [:],
                                  body: [UInt8] = []) -> [Action] {
        guard var call = calls[callID] else { return [] }
        var headers = SIPHeaders(extra)
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/sdp") }
        let message = SIPResponseBuilder.response(to: call.invite, status: status, toTag: call.toTag,
                                                  extraHeaders: headers, body: body)
        let actions = call.transaction.handle(.send(message, status: status))
        calls[callID] = call
        return map(actions, callID: callID)
    }

    /// The transaction's actions as ours; a rejected call is forgotten when its transaction ends.
    private mutating func map(_ actions: [InviteServerTransaction<SIPMessage>.Action], callID: String) -> [Action] {
        guard let call = calls[callID] else { return [] }
        var out: [Action] = []
        for action in actions {
            switch action {
            case .sendResponse(let r): out.append(.send(r, to: call.peer))
            case let .startTimer(t, ms): out.append(.startTimer(.invite(callID: callID, t), milliseconds: ms))
            case .cancelTimer(let t): out.append(.cancelTimer(.invite(callID: callID, t)))
            case .ackTimeout, .terminated:
                if call.phase == .rejected { calls[callID] = nil }
            }
        }
        return out
    }

    private mutating func answer(_ callID: String) -> [Action] {
        guard let body = calls[callID]?.answerBody else { return [] }
        guard let peer = calls[callID]?.peer else { return [] }
        var actions = respond(callID, status: 200, extra: contactHeaders(for: peer), body: body)
        guard var call = calls[callID] else { return actions }
        call.phase = .answered
        call.success = call.transaction.lastResponse
        let retransmitter = SuccessRetransmitter(timers: configuration.timers, reliability: transport(of: peer).reliability)
        call.successRetransmitter = retransmitter
        calls[callID] = call
        actions.append(.startTimer(.successRetransmit(callID: callID), milliseconds: retransmitter.firstDelay))
        return actions
    }

    /// A final error response to the INVITE; media (if opened) closes, the port goes back.
    private mutating func reject(_ callID: String, status: Int, extra: KeyValuePairs<String, String>,
                                 reason: String) -> [Action] {
        guard let call = calls[callID] else { return [] }
        var actions = respond(callID, status: status, extra: extra)
        if call.mediaOpen { actions.append(.closeMedia(callID: callID)) }
        actions.append(.cancelTimer(.answer(callID: callID)))
        if let port = call.localRTPPort { ports.release(port) }
        calls[callID]?.localRTPPort = nil
        calls[callID]?.mediaOpen = false
        calls[callID]?.phase = .rejected
        actions.append(.callEnded(callID: callID, reason: "\(status) \(reason)"))
        return actions
    }

    /// We end the call: BYE once answered, a final error before.
    mutating func hangUp(_ callID: String, reason: String) -> [Action] {
        guard var call = calls[callID], call.isLive else { return [] }
        switch call.phase {
        case .opening, .ringing:
            return reject(callID, status: 480, extra: [:], reason: reason)
        default:
            break
        }
        var actions: [Action] = []
        if call.mediaOpen { actions.append(.closeMedia(callID: callID)) }
        actions += cancelCallTimers(callID)
        actions += endBridge(callID)
        if let port = call.localRTPPort { ports.release(port) }
        call.localRTPPort = nil
        call.mediaOpen = false
        let bye = makeInDialogRequest(&call, method: .bye)
        call.bye = bye
        call.phase = .ending
        let retransmitter = SuccessRetransmitter(timers: configuration.timers, reliability: transport(of: call.peer).reliability)
        call.byeRetransmitter = retransmitter
        calls[callID] = call
        actions.append(.send(bye, to: call.peer))
        actions.append(.startTimer(.byeRetransmit(callID: callID), milliseconds: retransmitter.firstDelay))
        actions.append(.callEnded(callID: callID, reason: reason))
        return actions
    }

    func cancelCallTimers(_ callID: String) -> [Action] {
        [.cancelTimer(.successRetransmit(callID: callID)), .cancelTimer(.answer(callID: callID)),
         .cancelTimer(.referRetransmit(callID: callID)), .cancelTimer(.transferTimeout(callID: callID))]
    }

    /// Forgets a call ended by the caller's BYE and frees its port.
    private mutating func release(_ callID: String) {
        if let port = calls[callID]?.localRTPPort { ports.release(port) }
        calls[callID] = nil
    }

    /// Our request (BYE, REFER) within the call's dialog (RFC 3261 12.2.1.1): From/To swapped
    /// with our tag, Request-URI the caller's Contact, Route from the INVITE's Record-Route, the
    /// next local CSeq.
    mutating func makeInDialogRequest(_ call: inout Call, method: SIPMethod) -> SIPMessage {
        let invite = call.invite
        var target = invite.from?.uri ?? SIPURI(host: configuration.host)
        if case .addresses(let contacts)? = invite.contact, let first = contacts.first { target = first.uri }
        var headers = SIPHeaders()
        headers.add(name: "Via", value: "SIP/2.0/\(transport(of: call.peer).viaToken) \(hostPort);branch=\(SIPVia.magicCookie)\(nextToken());rport")
        headers.add(name: "Max-Forwards", value: "70")
        if let to = invite.headers["To"] {
            headers.add(name: "From", value: SIPNameAddress(to)?.tag == nil ? to + ";tag=" + call.toTag : to)
        }
        if let from = invite.headers["From"] { headers.add(name: "To", value: from) }
        headers.add(name: "Call-ID", value: invite.callID ?? "")
        call.localCSeq += 1
        headers.add(name: "CSeq", value: "\(call.localCSeq) \(method.rawValue)")
        for route in invite.headers.listValues("Record-Route") { headers.add(name: "Route", value: route) }
        headers.add(name: "User-Agent", value: configuration.agent)
        return SIPMessage(method: method, uri: target, headers: headers)
    }

    /// A fresh token for tags and branches: the seed plus a counter, base 36.
    mutating func nextToken() -> String {
        counter += 1
        return tagPrefix + "x" + String(counter, radix: 36)
    }

    /// The key of a `Signal=5` line (application/dtmf-relay) or a bare `5` (application/dtmf).
    static func dtmfDigit(in body: [UInt8]) -> Character? {
        let text = String(decoding: body, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            let value: Substring
            if parts.count == 2 {
                guard parts[0].trimmingSpaces.lowercased() == "signal" else { continue }
                value = parts[1].trimmingSpaces
            } else {
                value = line.trimmingSpaces
            }
            if value.count == 1, let c = value.first, "0123456789*#ABCDabcd".contains(c) { return Character(c.uppercased()) }
        }
        return nil
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
