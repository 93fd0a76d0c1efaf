import Logging
import NIOCore
import NIOPosix
public import SIPCore
public import VoiceGateDialog

/// `voicegate serve`: a SIP UAS on UDP that answers calls and runs each through the dialog
/// engine over RTP. One task owns the `CallController` and every call's handle; the socket
/// reader, timers and per-call media tasks only send it events, so no state is shared.
public struct GatewayServer: Sendable {
    /// Where to listen and how many calls to take.
    public struct Options: Sendable {
        /// Address to bind SIP and RTP to.
        public var bindHost: String
        /// Address written in Contact and SDP (what callers send to); nil: `bindHost`.
        public var advertisedHost: String?
        /// SIP UDP port (0: any free port, reported by `onReady`).
        public var sipPort: Int
        /// RTP ports (even ones are used).
        public var rtpPorts: ClosedRange<Int>
        /// Calls at once; beyond, 503 with Retry-After.
        public var maxCalls: Int
        /// Ringing time before answering (180 Ringing first when positive).
        public var answerDelayMs: Int64
        /// Where transfers go (the `Refer-To` of our REFERs).
        public var agentQueueURI: String
        /// How long an accepted REFER may take to report its final outcome by NOTIFY.
        public var transferTimeoutMs: Int64
        /// Also listen on TCP at the SIP port (RFC 3261 §18: a UAS must).
        public var tcp = true
        /// A TCP connection with nothing read for this long is closed.
        public var tcpIdleTimeoutMs: Int64 = 300_000
        /// Codecs answered, most preferred first (`--codecs pcmu,pcma,opus`).
        public var codecs: [SDPCodec] = [.pcmu, .pcma, .opus]
        /// Mean RTCP report interval (RFC 3550: 5 s), randomised 0.5–1.5× per report.
        public var rtcpIntervalMs: Int64 = 5000
        /// REFER only, or REFER then the bridged fallback (default: a caller must never be
        /// dropped because their phone cannot REFER).
        public var transferMode: TransferMode = .referThenBridge
        /// Sources that may send SIP at all; default loopback only.
        public var allowedNetworks: [IPNetwork] = ServerSettings.loopbackNetworks
        /// What requests from other sources get (403 or nothing).
        public var onDisallowed: DisallowedSourceAction = .drop
        /// New INVITEs admitted per second (503 with Retry-After beyond); 0: no limit.
        public var maxNewCallsPerSecond: Double = 50
        /// After the first stop signal, how long calls in progress may go on before our BYE.
        public var drainTimeoutMs: Int64 = 30_000

        /// Options; defaults: loopback, port 5060, RTP 20000–20999, 200 calls, answer at once,
        /// transfers to `sip:agents@127.0.0.1` with 30 s for their outcome.
        public init(bindHost: String = "127.0.0.1", sipPort: Int = 5060, rtpPorts: ClosedRange<Int> = 20000...20999,
                    maxCalls: Int = 200, answerDelayMs: Int64 = 0, advertisedHost: String? = nil,
                    agentQueueURI: String = "sip:agents@127.0.0.1", transferTimeoutMs: Int64 = 30_000) {
            self.bindHost = bindHost
            self.advertisedHost = advertisedHost
            self.sipPort = sipPort
            self.rtpPorts = rtpPorts
            self.maxCalls = maxCalls
            self.answerDelayMs = answerDelayMs
            self.agentQueueURI = agentQueueURI
            self.transferTimeoutMs = transferTimeoutMs
        }

        /// Whether `text` is a `sip:`/`sips:` URI a REFER can name in `Refer-To`.
        public static func isUsableAgentQueueURI(_ text: String) -> Bool {
            guard let uri = SIPURI(text) else { return false }
            return uri.isSIP
        }
    }

    /// Listening settings.
    public var options: Options
    /// Engine, prompts, bank, logger shared by calls.
    public var services: CallServices

    /// A server; see the properties.
    public init(options: Options, services: CallServices) {
        self.options = options
        self.services = services
    }

    /// What reaches the server's loop.
    private enum Event: Sendable {
        case datagram(AddressedEnvelope<ByteBuffer>)
        case stream(SIPStreamEvent)
        case timer(CallTimerID)
        case media(MediaReport)
        case stop
        case stopNow
        /// The drain timeout after the first stop signal ran out.
        case drainTimeout
        /// The records hold the call's end (or the wait ran out): its BYE's 200 may go.
        case byeAnswerReleased(callID: String)
    }

    /// Binds the SIP socket and serves until stopped. The first element of `stop` (or its end)
    /// starts draining: new calls get 503, calls in progress go on for up to `drainTimeoutMs`,
    /// then get BYE; a second element ends every call with BYE at once.
    /// - Parameters:
    ///   - readiness: moved to `ready` once listening, `draining`, then `stopped` (for `/ready`).
    ///   - onReady: called with the bound SIP port once the socket is open.
    public func run(stop: AsyncStream<Void>, readiness: ServiceReadiness? = nil,
                    onReady: @Sendable (Int) -> Void = { _ in }) async throws {
        let logger = services.logger
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                // NIO's default 2,048-byte datagram buffer truncates larger SIP messages (RFC 4475
                // longreq is 3.5 kB); a UDP datagram can hold up to 64 kB.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .bind(host: options.bindHost, port: options.sipPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw GatewayError.cannotListen(host: options.bindHost, port: options.sipPort, problem: "\(error)")
        }
        let port = channel.channel.localAddress?.port ?? options.sipPort
        var listener: SIPStreamTransport.Listener?
        if options.tcp {
            do {
                listener = try await SIPStreamTransport.listen(host: options.bindHost, port: port,
                                                               idleTimeoutMs: options.tcpIdleTimeoutMs)
            } catch {
                try? await channel.channel.close()
                throw GatewayError.cannotListen(host: options.bindHost, port: port, problem: "tcp: \(error)")
            }
        }
        onReady(port)
        await readiness?.set(.ready)
        defer { Task { await readiness?.set(.stopped) } }
        try await channel.executeThenClose { inbound, outbound in
            let (events, sink) = AsyncStream<Event>.makeStream()
            let reader = Task {
                do {
                    for try await envelope in inbound { sink.yield(.datagram(envelope)) }
                } catch {}
            }
            let acceptor = Task { [listener] in
                guard let listener else { return }
                await SIPStreamTransport.accept(on: listener, parser: SIPParser(), logger: logger) { sink.yield(.stream($0)) }
            }
            let stopper = Task {
                var signalled = false
                for await _ in stop {
                    signalled = true
                    sink.yield(.stop)
                }
                if !signalled { sink.yield(.stop) }
            }
            defer {
                reader.cancel()
                acceptor.cancel()
                stopper.cancel()
            }
            await serve(events: events, sink: sink, outbound: outbound, port: port, logger: logger, readiness: readiness)
        }
    }

    private func serve(events: AsyncStream<Event>, sink: AsyncStream<Event>.Continuation,
                       outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>,
                       port: Int, logger: Logger, readiness: ServiceReadiness?) async {
        var controller = CallController<SIPFlow>(
            configuration: withBridge(.init(host: options.advertisedHost ?? options.bindHost, port: port, rtpPorts: options.rtpPorts, maxCalls: options.maxCalls,
                                 answerDelayMs: options.answerDelayMs, codecs: options.codecs, agentQueueURI: options.agentQueueURI,
                                 transferTimeoutMs: options.transferTimeoutMs), logger: logger),
            seed: UInt64.random(in: 1...UInt64.max))
        // Only what the controller does: anything else gets 405/501 with this Allow, and any
        // Require (100rel, timer ...) gets 420 rather than being silently ignored.
        let validator = SIPRequestValidator(allowedMethods: [.invite, .ack, .bye, .cancel, .options, .info, .notify],
                                            supportedExtensions: [])
        var timers: [CallTimerID: Task<Void, Never>] = [:]
        var media: [String: AsyncStream<MediaEvent>.Continuation] = [:]
        var bridges = BridgeMediaTasks()
        var byeAnswers = ByeAnswerHold<SIPFlow>()
        var connections = SIPConnectionTable()
        var admission = AdmissionControl(policy: .init(allowedNetworks: options.allowedNetworks, onDisallowed: options.onDisallowed,
                                                       maxNewCallsPerSecond: options.maxNewCallsPerSecond))
        var refusals = RefusalLog()
        let started = ContinuousClock.now
        var shutdown = ShutdownPhase.running
        var drainTimer: Task<Void, Never>?
        let metrics = services.metrics
        /// Calls whose transfer SIP has not settled yet (their outcome is counted when it is).
        var transfersInFlight = Set<String>()

        func send(_ message: SIPMessage, to flow: SIPFlow) async {
            var buffer = ByteBuffer()
            SIPSerializer.write(message, into: &buffer)
            if let status = message.status { metrics?.sipResponseSent(status: status) }
            switch flow.transport {
            case .udp:
                try? await outbound.write(AddressedEnvelope(remoteAddress: flow.remote, data: buffer))
            case .tcp:
                await connections.send(buffer, message: message, to: flow, idleTimeoutMs: options.tcpIdleTimeoutMs,
                                       parser: SIPParser(), logger: logger) { sink.yield(.stream($0)) }
            }
        }

        func perform(_ actions: [CallController<SIPFlow>.Action]) async {
            for action in actions {
                switch action {
                case let .send(message, to):
                    if let recorder = services.records, ByeAnswerHold<SIPFlow>.isByeSuccess(message),
                       let callID = message.callID {
                        // The caller learns the call is over only once its end is in the records.
                        guard byeAnswers.hold(message, to: to, callID: callID) else { break }
                        Task {
                            await recorder.endWritten(callID: callID)
                            sink.yield(.byeAnswerReleased(callID: callID))
                        }
                        Task {
                            try? await Task.sleep(for: .milliseconds(ByeAnswerHold<SIPFlow>.limitMilliseconds))
                            sink.yield(.byeAnswerReleased(callID: callID))
                        }
                    } else {
                        await send(message, to: to)
                    }
                case let .startTimer(id, ms):
                    timers[id]?.cancel()
                    timers[id] = Task {
                        try? await Task.sleep(for: .milliseconds(ms))
                        if !Task.isCancelled { sink.yield(.timer(id)) }
                    }
                case .cancelTimer(let id):
                    timers.removeValue(forKey: id)?.cancel()
                case .openMedia(let plan):
                    var callLogger = logger
                    callLogger[metadataKey: "call-id"] = "\(plan.callID)"
                    callLogger.info("call from \(plan.callerNumber): \(plan.media.codec.name) to \(plan.media.remoteAddress):\(plan.media.remoteRTPPort), RTP port \(plan.localRTPPort)")
                    let (mediaEvents, mediaSink) = AsyncStream<MediaEvent>.makeStream()
                    media[plan.callID] = mediaSink
                    let callServices = await services.forNewCall(plan.callID)  // fixed for the call's life
                    let call = CallMedia(plan: plan, bindHost: options.bindHost, services: callServices,
                                         rtcpIntervalMs: options.rtcpIntervalMs)
                    Task { await call.run(events: mediaEvents) { sink.yield(.media($0)) } }
                case .startMedia(let callID):
                    media[callID]?.yield(.start)
                case .closeMedia(let callID):
                    media.removeValue(forKey: callID)?.yield(.close)
                case let .keyPressed(callID, digit):
                    media[callID]?.yield(.key(digit))
                case let .updateMedia(callID, newMedia):
                    media[callID]?.yield(.update(newMedia))
                case let .callEnded(callID, reason):
                    var callLogger = logger
                    callLogger[metadataKey: "call-id"] = "\(callID)"
                    callLogger.info("call ended: \(reason)")
                    services.records?.sipEnded(callID: callID, detail: reason)
                    // A transfer SIP never settled (the caller left first) stays `transferred`, as in the records.
                    if transfersInFlight.remove(callID) != nil { metrics?.callEnded(outcome: .transferred) }
                case let .transferFinished(callID, outcome):
                    services.records?.transferFinished(callID: callID, outcome)
                    if transfersInFlight.remove(callID) != nil {
                        if case .transferred = outcome { metrics?.callEnded(outcome: .transferred) } else { metrics?.callEnded(outcome: .failed) }
                    }
                    var callLogger = logger
                    callLogger[metadataKey: "call-id"] = "\(callID)"
                    let mode = bridges.isBridged(callID) ? "bridge" : "refer"
                    switch outcome {
                    case .transferred:
                        callLogger.notice("transfer done (\(mode)): the caller is with the agent queue")
                        TransferTrace.append(directory: services.traceDirectory, callID: callID, mode: mode, outcome: "transferred")
                    case .failed(let detail):
                        callLogger.warning("transfer_failed (\(mode)): \(detail); ending the call")
                        TransferTrace.append(directory: services.traceDirectory, callID: callID, mode: mode, outcome: "failed",
                                             detail: detail)
                    }
                case .bridge(let command):
                    bridges.perform(command, bindHost: options.bindHost, services: services, agentURI: options.agentQueueURI) {
                        sink.yield(.media($0))
                    }
                }
            }
        }

        loop: for await event in events {
            var drainTimedOut = false
            switch event {
            case .datagram(let envelope):
                switch validator.react(toDatagram: envelope.data) {
                case .process(let message):
                    let source = envelope.remoteAddress.sourceIP
                    let elapsed = ContinuousClock.now - started
                    let nowMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
                    switch admission.screen(message, from: source, isNewCall: controller.isNewCallAttempt(message), atMs: nowMs) {
                    case .admit:
                        await perform(controller.handle(.received(message, from: SIPFlow(transport: .udp, remote: envelope.remoteAddress))))
                    case let .refuse(status, retryAfter, reason):
                        var callLogger = logger
                        callLogger[metadataKey: "call-id"] = "\(message.callID ?? "")"
                        let line: Logger.Message = "\(message.method?.rawValue ?? "request") from \(envelope.remoteAddress) refused with \(status): \(reason)"
                        if status == 403, !refusals.isFirst("\(source.map { "\($0)" } ?? "?")") { callLogger.debug(line) } else { callLogger.notice(line) }
                        let response = AdmissionControl.response(refusing: message, status: status,
                                                                 retryAfterSeconds: retryAfter, toTag: controller.nextToken())
                        var buffer = ByteBuffer()
                        SIPSerializer.write(response, into: &buffer)
                        metrics?.sipResponseSent(status: status)
                        try? await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer))
                    case .ignore(let reason):
                        let line: Logger.Message = "ignored \(message.method?.rawValue ?? "response") from \(envelope.remoteAddress): \(reason)"
                        if refusals.isFirst("\(source.map { "\($0)" } ?? "?")") { logger.notice(line) } else { logger.debug(line) }
                    }
                case .respond(let response) where !admission.allows(envelope.remoteAddress.sourceIP):
                    logger.debug("dropped a bad datagram from \(envelope.remoteAddress) (not in trunk.allowed_networks): \(response.status ?? 0)")
                case .respond(let response):
                    var buffer = ByteBuffer()
                    SIPSerializer.write(response, into: &buffer)
                    if let status = response.status { metrics?.sipResponseSent(status: status) }
                    try? await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer))
                case .drop(let why):
                    logger.debug("dropped datagram from \(envelope.remoteAddress): \(why)")
                }
            case .stream(.message(let message, let flow)):
                switch validator.validate(message) {
                case .accept: await perform(controller.handle(.received(message, from: flow)))
                case .reject(let response): await send(response, to: flow)
                case .discard(let why): logger.debug("dropped message from \(flow): \(why)")
                }
            case .stream(let change):
                connections.note(change)
            case .timer(let id):
                timers[id] = nil
                await perform(controller.handle(.timerFired(id)))
            case .media(.opened(let callID)):
                await perform(controller.handle(.mediaOpened(callID: callID)))
            case .media(.failed(let callID, _)):
                media[callID] = nil
                await perform(controller.handle(.mediaFailed(callID: callID)))
            case .media(.ended(let callID, let reason)):
                await perform(controller.handle(.hangUp(callID: callID, reason: reason)))
            case .media(.transfer(let callID, let queue, let reason, let language)):
                bridges.languages[callID] = language
                transfersInFlight.insert(callID)
                // The context key is the Call-ID (what `GET /api/calls/{id}/context` will take);
                // the full context is in the call's trace, only the key goes out in SIP.
                var callLogger = logger
                callLogger[metadataKey: "call-id"] = "\(callID)"
                callLogger.notice("transfer to queue \(queue) (\(reason)): REFER to \(options.agentQueueURI), context key \(callID)")
                await perform(controller.handle(.transfer(callID: callID, contextKey: callID)))
            case .stop:
                switch shutdown {
                case .running:
                    shutdown = .draining
                    admission.startDraining()
                    await readiness?.set(.draining)
                    let count = controller.activeCallCount
                    if count > 0, options.drainTimeoutMs > 0 {
                        logger.notice("draining: new calls get 503; \(count) call(s) in progress may go on for up to \(Double(options.drainTimeoutMs) / 1000) s (stop again to end them now)")
                        let timeout = options.drainTimeoutMs
                        drainTimer = Task {
                            try? await Task.sleep(for: .milliseconds(timeout))
                            if !Task.isCancelled { sink.yield(.drainTimeout) }
                        }
                    }
                case .draining:
                    logger.notice("stop signal again: ending \(controller.activeCallCount) call(s) now")
                    shutdown = .finishing
                    await perform(controller.handle(.shutdown))
                    Task {
                        try? await Task.sleep(for: .milliseconds(50))  // the BYEs leave before the socket closes
                        sink.yield(.stopNow)
                    }
                case .finishing:
                    break loop
                }
            case .drainTimeout:
                if shutdown == .draining {
                    drainTimedOut = true
                    logger.notice("drain timeout: ending \(controller.activeCallCount) call(s) with BYE")
                }
            case .stopNow:
                break loop
            case .byeAnswerReleased(let callID):
                if let (message, flow) = byeAnswers.release(callID) { await send(message, to: flow) }
            }
            metrics?.setActiveCalls(controller.activeCallCount)
            // Drained (or no waiting asked for, or the timeout ran out): BYE whatever is left.
            if shutdown == .draining, controller.activeCallCount == 0 || options.drainTimeoutMs <= 0 || drainTimedOut {
                shutdown = .finishing
                if drainTimer != nil, controller.activeCallCount == 0 {
                    logger.notice("drained: every call has ended; stopping")
                } else {
                    logger.notice("stopping: ending \(controller.activeCallCount) call(s)")
                }
                drainTimer?.cancel()
                await perform(controller.handle(.shutdown))
                // A moment for the BYEs' 200s and the media tasks to close their sockets.
                Task {
                    try? await Task.sleep(for: .milliseconds(300))
                    sink.yield(.stopNow)
                }
            }
        }
        drainTimer?.cancel()
        for (message, flow) in byeAnswers.releaseAll() { await send(message, to: flow) }
        for task in timers.values { task.cancel() }
        for call in media.values { call.yield(.close) }
    }
}

/// Where the server is in shutting down.
private enum ShutdownPhase {
    /// Taking calls.
    case running
    /// First stop signal: no new calls, waiting for calls in progress (up to the drain timeout).
    case draining
    /// BYEs sent; the loop ends shortly.
    case finishing
}

/// Why the gateway could not start.
public enum GatewayError: Error, CustomStringConvertible {
    /// The SIP socket could not be bound (port in use, address not local ...).
    case cannotListen(host: String, port: Int, problem: String)

    /// One line for the operator.
    public var description: String {
        switch self {
        case let .cannotListen(host, port, problem): return "cannot listen on udp \(host):\(port): \(problem)"
        }
    }
}
