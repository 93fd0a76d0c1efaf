import Foundation
public import Logging
import NIOCore
import NIOPosix
import RTPCore
import SIPCore
public import VoiceGateDialog
public import VoiceGateMedia
import VoiceGateCodecs

/// What reaches one call's media loop.
enum MediaEvent: Sendable {
    /// The dialog is confirmed: greet and send media.
    case start
    /// 20 ms passed (the ticker re-syncs to absolute due times).
    case tick
    /// An RTP datagram arrived.
    case rtp(AddressedEnvelope<ByteBuffer>)
    /// A prompt was rendered.
    case rendered(playID: String, samples: [Int16])
    /// A prompt could not be rendered.
    case renderFailed(playID: String, problem: String)
    /// The bank answered.
    case answered(BackendResult)
    /// A key from SIP INFO.
    case key(Character)
    /// SIP ended the call (BYE, CANCEL, shutdown): stop now.
    case close
}

/// What a call's media loop tells the SIP side.
enum MediaReport: Sendable {
    /// The RTP socket is bound.
    case opened(callID: String)
    /// The RTP socket could not be bound.
    case failed(callID: String, problem: String)
    /// The IVR (or the media timeout) ended the call: send BYE.
    case ended(callID: String, reason: String)
    /// The IVR transfers the call to an agent queue: REFER (the media loop has ended). The
    /// caller's language is for a bridged transfer's sorry prompt.
    case transfer(callID: String, queue: String, reason: String, language: Language)
}

/// Why a call's media loop ended on the IVR side.
enum MediaEnding: Sendable {
    /// Hang-up or media timeout: BYE with this reason.
    case hangUp(String)
    /// The session asked for a transfer.
    case transfer(queue: String, reason: String, language: Language)
}

/// What every call shares: the engine, prompts, bank, recogniser, logger and where traces go.
public struct CallServices: Sendable {
    /// The engine (menu version) new calls run.
    public var engine: DialogEngine
    /// Prompt audio.
    public var prompts: any PromptAudioSource
    /// The bank.
    public var bank: any BankBackend
    /// Speech recogniser (nil: speech counts as no-match).
    public var recognizer: (any UtteranceRecognizer)?
    /// The logger; each call adds its `call-id` metadata.
    public var logger: Logger
    /// Folder for `<call-id>.jsonl` trace files, nil for none.
    public var traceDirectory: String?
    /// Silence on the RTP socket after which the call is ended with BYE.
    public var mediaTimeoutMs: Int64

    /// Services; see the properties.
    public init(engine: DialogEngine, prompts: any PromptAudioSource, bank: any BankBackend,
                recognizer: (any UtteranceRecognizer)? = nil, logger: Logger, traceDirectory: String? = nil,
                mediaTimeoutMs: Int64 = 30_000) {
        self.engine = engine
        self.prompts = prompts
        self.bank = bank
        self.recognizer = recognizer
        self.logger = logger
        self.traceDirectory = traceDirectory
        self.mediaTimeoutMs = mediaTimeoutMs
    }
}

/// One call's media: its RTP socket and the 20 ms loop RTP in → latch → jitter buffer →
/// G.711 decode (or concealment) → `CallSession` → G.711 encode → RTP out, with RFC 4733 keys
/// through `TelephoneEventReceiver` and `DigitDeduplicator`. One task owns every value here;
/// renders, lookups, the ticker and the socket reader only send events to it.
struct CallMedia: Sendable {
    let plan: MediaPlan
    let bindHost: String
    let services: CallServices

    /// Binds the socket, reports it, and runs until the call ends.
    func run(events: AsyncStream<MediaEvent>, sink: AsyncStream<MediaEvent>.Continuation,
             report: @escaping @Sendable (MediaReport) -> Void) async {
        var logger = services.logger
        logger[metadataKey: "call-id"] = "\(plan.callID)"
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: bindHost, port: plan.localRTPPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            logger.error("cannot bind RTP port \(plan.localRTPPort): \(error)")
            report(.failed(callID: plan.callID, problem: "\(error)"))
            return
        }
        report(.opened(callID: plan.callID))
        do {
            try await channel.executeThenClose { inbound, outbound in
                let reader = Task {
                    do {
                        for try await envelope in inbound { sink.yield(.rtp(envelope)) }
                    } catch {}
                }
                defer { reader.cancel() }
                let ending = await loop(events: events, sink: sink, outbound: outbound, logger: logger)
                switch ending {
                case .hangUp(let reason)?: report(.ended(callID: plan.callID, reason: reason))
                case let .transfer(queue, reason, language)?:
                    report(.transfer(callID: plan.callID, queue: queue, reason: reason, language: language))
                case nil: break
                }
            }
        } catch {
            logger.warning("RTP socket: \(error)")
        }
    }

    /// The event loop; returns why the IVR side ended the call, or nil when SIP closed it.
    private func loop(events: AsyncStream<MediaEvent>, sink: AsyncStream<MediaEvent>.Continuation,
                      outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>,
                      logger: Logger) async -> MediaEnding? {
        let media = plan.media
        let codecPT = media.codec.payloadType
        let eventPT = media.telephoneEventPayloadType
        var codec = G711Codec(law: media.codec.name.uppercased() == "PCMA" ? .alaw : .ulaw)
        var sender = RTPSender(payloadType: codecPT, clockRate: 8000)
        let signalled = try? SocketAddress(ipAddress: media.remoteAddress, port: media.remoteRTPPort)
        var latch = SymmetricRTPLatch<SocketAddress>(signalledAddress: signalled,
                                                     payloadTypes: Set([codecPT] + (eventPT.map { [$0] } ?? [])))
        var jitter = JitterBuffer<[UInt8]>()
        var keys = TelephoneEventReceiver()
        var dedup = DigitDeduplicator()
        // Phones that send RFC 4733 often leave the tones in the audio too: while events arrive
        // (plus the audio's playout delay) the in-band detector hears silence, so one press is
        // one key.
        var muteAudioUntilMs: Int64 = -1
        let clock = ContinuousClock()
        let started = clock.now
        func nowMs() -> Int64 {
            let d = clock.now - started
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
        var timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: 0)
        var pacer = RTPPacer(startMs: 0)

        let renderer = PromptRenderWorker(source: services.prompts, sampleRate: CallFrontEnd.sampleRate) { outcome in
            switch outcome {
            case let .rendered(playID, samples): sink.yield(.rendered(playID: playID, samples: samples))
            case let .failed(playID, problem): sink.yield(.renderFailed(playID: playID, problem: problem))
            }
        }
        var ticker: Task<Void, Never>?
        defer {
            ticker?.cancel()
            renderer.stop()
        }
        let trace = TraceFile(directory: services.traceDirectory, callID: plan.callID)
        defer { trace?.close() }

        var session: CallSession?
        var endReason: MediaEnding?
        let bank = services.bank
        func fulfil(_ requests: [SessionRequest]) {
            for request in requests {
                switch request {
                case let .render(playID, segments, language, slow):
                    renderer.submit(playID: playID, segments: segments, language: language, slow: slow)
                case .lookup(let lookup):
                    Task { sink.yield(.answered(await bank.perform(lookup))) }
                case let .transfer(queue, reason, _, context):
                    // The full context is already in the trace (its `transfer` event); SIP
                    // carries only the key (the Call-ID), so the log names the queue and reason.
                    endReason = endReason ?? .transfer(queue: queue, reason: reason, language: context.language)
                case .hangUp:
                    endReason = endReason ?? .hangUp("ivr hung up")
                case .trace(let event):
                    trace?.append(event)
                    logger.info("\(event.logLine)")
                }
            }
        }

        let frame = CallFrontEnd.frameSamples
        var inbound = [Int16](repeating: 0, count: frame)
        var outboundPCM = [Int16](repeating: 0, count: frame)
        var payload = [UInt8](repeating: 0, count: frame)

        for await event in events {
            switch event {
            case .start:
                guard session == nil else { break }
                let call = CallInfo(callID: plan.callID, callerNumber: plan.callerNumber, calledNumber: plan.calledNumber)
                let (s, first) = CallSession.start(engine: services.engine, call: call, recognizer: services.recognizer)
                session = s
                timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: nowMs())
                pacer = RTPPacer(startMs: nowMs())
                ticker = Task {
                    var due = clock.now
                    while !Task.isCancelled {
                        due = due.advanced(by: .milliseconds(20))
                        try? await clock.sleep(until: due)
                        sink.yield(.tick)
                    }
                }
                fulfil(first)
            case .tick:
                guard var current = session else { break }
                let now = nowMs()
                let due = pacer.due(nowMs: now)
                if due.skipped > 0 { sender.skip(samples: due.skipped * frame) }
                for _ in 0..<due.send {
                    switch jitter.pop(nowMs: now) {
                    case .frame(let bytes):
                        let n = bytes.withUnsafeBufferPointer { src in
                            inbound.withUnsafeMutableBufferPointer { dst in
                                (try? codec.decode(UnsafeBufferPointer(rebasing: src.prefix(frame)), into: dst)) ?? 0
                            }
                        }
                        for k in n..<frame { inbound[k] = 0 }
                    case .missing:
                        let n = inbound.withUnsafeMutableBufferPointer { (try? codec.concealLoss(into: $0)) ?? 0 }
                        for k in min(n, frame)..<frame { inbound[k] = 0 }
                    case .empty:
                        for k in 0..<frame { inbound[k] = 0 }
                    }
                    if now < muteAudioUntilMs { for k in 0..<frame { inbound[k] = 0 } }
                    let requests = inbound.withUnsafeBufferPointer { input in
                        outboundPCM.withUnsafeMutableBufferPointer { output in
                            current.process(inbound: input, outbound: output)
                        }
                    }
                    _ = outboundPCM.withUnsafeBufferPointer { pcm in
                        payload.withUnsafeMutableBufferPointer { out in (try? codec.encode(pcm, into: out)) ?? 0 }
                    }
                    let packet = sender.next(payload: payload, samples: frame)
                    if let target = latch.remoteAddress, media.direction.sends {
                        var buffer = ByteBuffer()
                        packet.write(to: &buffer)
                        do {
                            try await outbound.write(AddressedEnvelope(remoteAddress: target, data: buffer))
                        } catch {
                            logger.warning("RTP send to \(target) failed: \(error)")
                        }
                    }
                    fulfil(requests)
                }
                for update in keys.expire(nowMs: now) { _ = update }
                session = current
                if endReason == nil, timeout.hasExpired(atMs: now) {
                    logger.warning("no RTP for \(services.mediaTimeoutMs / 1000) s: ending the call")
                    endReason = .hangUp("media timeout")
                }
            case .rtp(let envelope):
                guard let packet = try? RTPPacket(parsing: envelope.data) else { break }
                switch latch.observe(source: envelope.remoteAddress, ssrc: packet.ssrc, payloadType: packet.payloadType) {
                case .reject: continue
                case .latched(let address): logger.debug("RTP latched to \(address)")
                case let .relatched(from, to): logger.notice("RTP source moved from \(from) to \(to)")
                case .accept: break
                }
                let now = nowMs()
                timeout.packetReceived(atMs: now)
                if let eventPT, packet.payloadType == eventPT {
                    muteAudioUntilMs = now + Int64(jitter.targetDelay) + 120
                    for update in keys.receive(packet, arrivalMs: now) {
                        guard case .began(let press) = update else { continue }
                        let seen = DigitDeduplicator.Observation(digit: press.digit, source: .rfc4733, startMs: press.firstSeenMs)
                        if dedup.accept(seen), var current = session {
                            let requests = current.keyPressed(press.digit)
                            session = current
                            fulfil(requests)
                        }
                    }
                } else if packet.payloadType == codecPT {
                    jitter.insert(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker,
                                  arrivalMs: now, payload: packet.payload)
                }
            case let .rendered(playID, samples):
                session?.promptAudio(playID: playID, samples: samples)
            case let .renderFailed(playID, problem):
                logger.warning("prompt \(playID) not rendered: \(problem)")
                if var current = session {
                    let requests = current.promptFailed(playID: playID)
                    session = current
                    fulfil(requests)
                }
            case .answered(let answer):
                if var current = session {
                    let requests = current.backendAnswered(answer)
                    session = current
                    fulfil(requests)
                }
            case .key(let digit):
                let seen = DigitDeduplicator.Observation(digit: digit, source: .sipInfo, startMs: nowMs())
                if dedup.accept(seen), var current = session {
                    let requests = current.keyPressed(digit)
                    session = current
                    fulfil(requests)
                }
            case .close:
                if var current = session {
                    fulfil(current.callerHungUp())
                    session = current
                }
                return nil
            }
            if let endReason { return endReason }
        }
        return nil
    }
}
