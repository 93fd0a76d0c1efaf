import Logging
import NIOCore
import NIOPosix
import SIPCore

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
        case timer(CallTimerID)
        case media(MediaReport)
        case stop
        case stopNow
    }

    /// Binds the SIP socket and serves until `stop` yields (or finishes); active calls get BYE.
    /// - Parameter onReady: called with the bound SIP port once the socket is open.
    public func run(stop: AsyncStream<Void>, onReady: @Sendable (Int) -> Void = { _ in }) async throws {
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
        onReady(port)
        try await channel.executeThenClose { inbound, outbound in
            let (events, sink) = AsyncStream<Event>.makeStream()
            let reader = Task {
                do {
                    for try await envelope in inbound { sink.yield(.datagram(envelope)) }
                } catch {}
            }
            let stopper = Task {
                for await _ in stop { break }
                sink.yield(.stop)
            }
            defer {
                reader.cancel()
                stopper.cancel()
            }
            await serve(events: events, sink: sink, outbound: outbound, port: port, logger: logger)
        }
    }

    private func serve(events: AsyncStream<Event>, sink: AsyncStream<Event>.Continuation,
                       outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>,
                       port: Int, logger: Logger) async {
        var controller = CallController<SocketAddress>(
            configuration: .init(host: options.advertisedHost ?? options.bindHost, port: port, rtpPorts: options.rtpPorts, maxCalls: options.maxCalls,
                                 answerDelayMs: options.answerDelayMs, agentQueueURI: options.agentQueueURI,
                                 transferTimeoutMs: options.transferTimeoutMs),
            seed: UInt64.random(in: 1...UInt64.max))
        // Only what the controller does: anything else gets 405/501 with this Allow, and any
        // Require (100rel, timer ...) gets 420 rather than being silently ignored.
        let validator = SIPRequestValidator(allowedMethods: [.invite, .ack, .bye, .cancel, .options, .info, .notify],
                                            supportedExtensions: [])
        var timers: [CallTimerID: Task<Void, Never>] = [:]
        var media: [String: AsyncStream<MediaEvent>.Continuation] = [:]
        var stopping = false

        func perform(_ actions: [CallController<SocketAddress>.Action]) async {
            for action in actions {
                switch action {
                case let .send(message, to):
                    var buffer = ByteBuffer()
                    SIPSerializer.write(message, into: &buffer)
                    try? await outbound.write(AddressedEnvelope(remoteAddress: to, data: buffer))
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
                    let call = CallMedia(plan: plan, bindHost: options.bindHost, services: services)
                    Task { await call.run(events: mediaEvents, sink: mediaSink) { sink.yield(.media($0)) } }
                case .startMedia(let callID):
                    media[callID]?.yield(.start)
                case .closeMedia(let callID):
                    media.removeValue(forKey: callID)?.yield(.close)
                case let .keyPressed(callID, digit):
                    media[callID]?.yield(.key(digit))
                case let .callEnded(callID, reason):
                    var callLogger = logger
                    callLogger[metadataKey: "call-id"] = "\(callID)"
                    callLogger.info("call ended: \(reason)")
                case let .transferFinished(callID, outcome):
                    var callLogger = logger
                    callLogger[metadataKey: "call-id"] = "\(callID)"
                    switch outcome {
                    case .transferred: callLogger.notice("transfer done: the caller is with the agent queue")
                    case .failed(let detail):
                        // The bridged fallback that keeps the caller comes later; for now: BYE.
                        callLogger.warning("transfer_failed: \(detail); ending the call (no bridge fallback yet)")
                    }
                }
            }
        }

        loop: for await event in events {
            switch event {
            case .datagram(let envelope):
                switch validator.react(toDatagram: envelope.data) {
                case .process(let message):
                    await perform(controller.handle(.received(message, from: envelope.remoteAddress)))
                case .respond(let response):
                    var buffer = ByteBuffer()
                    SIPSerializer.write(response, into: &buffer)
                    try? await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer))
                case .drop(let why):
                    logger.debug("dropped datagram from \(envelope.remoteAddress): \(why)")
                }
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
            case .media(.transfer(let callID, let queue, let reason)):
                // The context key is the Call-ID (what `GET /api/calls/{id}/context` will take);
                // the full context is in the call's trace, only the key goes out in SIP.
                var callLogger = logger
                callLogger[metadataKey: "call-id"] = "\(callID)"
                callLogger.notice("transfer to queue \(queue) (\(reason)): REFER to \(options.agentQueueURI), context key \(callID)")
                await perform(controller.handle(.transfer(callID: callID, contextKey: callID)))
            case .stop:
                guard !stopping else { break }
                stopping = true
                logger.notice("stopping: ending \(controller.activeCallCount) call(s)")
                await perform(controller.handle(.shutdown))
                // A moment for the BYEs' 200s and the media tasks to close their sockets.
                Task {
                    try? await Task.sleep(for: .milliseconds(300))
                    sink.yield(.stopNow)
                }
            case .stopNow:
                break loop
            }
        }
        for task in timers.values { task.cancel() }
        for call in media.values { call.yield(.close) }
    }
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
