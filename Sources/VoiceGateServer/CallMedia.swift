import Foundation
public import Logging
import NIOCore
import NIOPosix
import RTPCore
import SIPCore
public import VoiceGateDialog
public import VoiceGateMedia
import VoiceGateCodecs
public import VoiceGateStore

/// What reaches one call's media loop.
enum MediaEvent: Sendable {
    /// The dialog is confirmed: greet and send media.
    case start
    /// 20 ms passed (the ticker re-syncs to absolute due times); `at` is when the clock fired.
    case tick(at: ContinuousClock.Instant)
    /// An RTP datagram arrived; `at` is when it was read from the socket.
    case rtp(AddressedEnvelope<ByteBuffer>, at: ContinuousClock.Instant)
    /// An RTCP datagram arrived (RTP port + 1).
    case rtcp(AddressedEnvelope<ByteBuffer>)
    /// A prompt was rendered.
    case rendered(playID: String, samples: [Int16])
    /// A prompt could not be rendered.
    case renderFailed(playID: String, problem: String)
    /// The bank answered.
    case answered(BackendResult)
    /// A key from SIP INFO.
    case key(Character)
    /// A re-INVITE (or the ACK of an offerless INVITE) settled new media: hold, resume, codec,
    /// remote address (see `CallMedia+Update.swift`).
    case update(NegotiatedMedia)
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
    /// Where call records go (the `--db` store), nil for none.
    public var records: CallRecorder? = nil
    /// `menu_versions.id` of `engine`'s menu in the records, if registered.
    public var menuVersion: Int64? = nil
    /// Where the calls' metrics go (`GET /metrics`), nil for none.
    public var metrics: GatewayMetrics? = nil
    /// Published menus and prompts (`LiveConfiguration.swift`); nil: `engine` and `prompts` for every call.
    public var live: LiveConfiguration? = nil
    /// The versions this call runs (set by `forNewCall`), nil on the shared services.
    public var configuration: CallConfiguration? = nil

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
/// decode (G.711 or Opus, or concealment: Opus PLC) → `CallSession` → encode → RTP out, with
/// RFC 4733 keys through `TelephoneEventReceiver` and `DigitDeduplicator`; and its RTCP socket
/// (RTP port + 1) with `RTCPSession`: SR/RR + SDES about every 5 s, the caller's reports
/// parsed, BYE at the end. One task owns every value here; renders, lookups, the ticker and the
/// socket readers only send events to it.
struct CallMedia: Sendable {
    let plan: MediaPlan
    let bindHost: String
    let services: CallServices
    /// Mean RTCP report interval on port + 1 (randomised 0.5–1.5× per report).
    var rtcpIntervalMs: Int64 = 5000

    /// Binds the socket, reports it, and runs until the call ends.
    func run(events: AsyncStream<MediaEvent>, sink: AsyncStream<MediaEvent>.Continuation,
             report: @escaping @Sendable (MediaReport) -> Void) async {
        var logger = services.logger
        logger[metadataKey: "call-id"] = "\(plan.callID)"
        // Datagrams go straight from the event loop into the call's event stream (MediaSocket.swift).
        let socket: MediaSocket
        do {
            socket = try await MediaSocket.bind(host: bindHost, port: plan.localRTPPort) {
                sink.yield(.rtp($0, at: ContinuousClock.now))
            }
        } catch {
            logger.error("cannot bind RTP port \(plan.localRTPPort): \(error)")
            report(.failed(callID: plan.callID, problem: "\(error)"))
            return
        }
        // RTCP on the odd port above (the pool hands out even ports only). A call works without
        // it, so a failure to bind is a warning, not a refusal.
        let rtcpSocket: MediaSocket?
        do {
            rtcpSocket = try await MediaSocket.bind(host: bindHost, port: plan.localRTPPort + 1) { sink.yield(.rtcp($0)) }
        } catch {
            logger.warning("cannot bind RTCP port \(plan.localRTPPort + 1): \(error); the call goes on without RTCP")
            rtcpSocket = nil
        }
        report(.opened(callID: plan.callID))
        let ending = await loop(events: events, sink: sink, socket: socket, rtcpSocket: rtcpSocket, logger: logger)
        // Writes already handed to the event loop (the RTCP BYE) go out before the close.
        await rtcpSocket?.close()
        await socket.close()
        switch ending {
        case .hangUp(let reason)?: report(.ended(callID: plan.callID, reason: reason))
        case let .transfer(queue, reason, language)?:
            report(.transfer(callID: plan.callID, queue: queue, reason: reason, language: language))
        case nil: break
        }
    }

    /// The event loop; returns why the IVR side ended the call, or nil when SIP closed it.
    private func loop(events: AsyncStream<MediaEvent>, sink: AsyncStream<MediaEvent>.Continuation,
                      socket: MediaSocket, rtcpSocket: MediaSocket?,
                      logger: Logger) async -> MediaEnding? {
        var media = plan.media
        var codecPT = media.codec.payloadType
        var eventPT = media.telephoneEventPayloadType
        var codec: any AudioCodec
        do {
            codec = try CallCodec.make(for: media.codec)
        } catch {
            logger.error("codec \(media.codec.name) unavailable (\(error)); ending the call")
            return .hangUp("codec unavailable")
        }
        // RTP timestamp units per 20 ms packet: 160 for G.711, 960 for Opus (48 kHz clock).
        var rtpFrame = media.codec.clockRate / 50
        var sender = RTPSender(payloadType: codecPT, clockRate: media.codec.clockRate)
        var latch = Self.latch(for: media)
        var jitter = JitterBuffer<[UInt8]>(configuration: .init(clockRate: media.codec.clockRate))
        // Which frames the jitter buffer may drop to shrink its delay (silence only).
        var silenceCodec = SilentPayload.Codec(sdpName: media.codec.name)
        var random = SystemRandomNumberGenerator()
        var rtcp = RTCPSession(cname: "voicegate-\(sender.ssrc)@\(bindHost)", meanIntervalMs: rtcpIntervalMs,
                               localClockRate: media.codec.clockRate, startMs: 0, using: &random)
        // Where RTCP goes: where the caller's RTCP comes from once it has sent some (symmetric
        // RTCP, RFC 4961), else the SDP's RTCP address (port + 1 or `a=rtcp`).
        var rtcpTarget = try? SocketAddress(ipAddress: media.remoteRTCPAddress, port: media.remoteRTCPPort)
        var lastRemoteLossLog: RTCPSession.RemoteReception?
        var keys = TelephoneEventReceiver()
        var dedup = DigitDeduplicator()
        // Phones that send RFC 4733 often leave the tones in the audio too: while events arrive
        // (plus the audio's playout delay) the in-band detector hears silence, so one press is
        // one key.
        var muteAudioUntilMs: Int64 = -1
        let clock = ContinuousClock()
        let started = clock.now
        func ms(at instant: ContinuousClock.Instant) -> Int64 {
            let d = instant - started
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
        func nowMs() -> Int64 { ms(at: clock.now) }
        var timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: 0)
        var pacer = RTPPacer(startMs: 0)

        let renderer = PromptRenderWorker(source: services.prompts, sampleRate: CallFrontEnd.sampleRate) { outcome in
            switch outcome {
            case let .rendered(playID, samples): sink.yield(.rendered(playID: playID, samples: samples))
            case let .failed(playID, problem): sink.yield(.renderFailed(playID: playID, problem: problem))
            }
        }
        // This call's registration with the shared 20 ms clock (MediaClock.swift).
        var clockTicket: UInt64?
        defer {
            if let clockTicket { Task { await MediaClock.shared.remove(clockTicket) } }
            renderer.stop()
        }
        let trace = TraceFile(directory: services.traceDirectory, callID: plan.callID)
        defer { trace?.close() }

        var session: CallSession?
        var endReason: MediaEnding?
        var engineOutcome: CallOutcome?
        var receptionSampler = RTPReceptionSampler()
        defer { services.records?.mediaEnded(callID: plan.callID, detail: endReason.recordDetail) }
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
                case .trace(let raw):
                    let event = services.annotated(raw)
                    trace?.append(event)
                    services.records?.record(callID: plan.callID, event)
                    services.metrics?.traceEvent(event)
                    if case .hangup(_, let outcome) = event.detail { engineOutcome = outcome }
                    logger.info("\(event.logLine)")
                }
            }
        }

        let frame = CallFrontEnd.frameSamples
        var inbound = [Int16](repeating: 0, count: frame)
        // Decoder output: an Opus packet may hold up to 120 ms (the loop plays its first 20 ms).
        var decoded = [Int16](repeating: 0, count: max(frame, 960))
        var outboundPCM = [Int16](repeating: 0, count: frame)
        var payload = [UInt8](repeating: 0, count: max(frame, codec.maxPayloadBytes))
        var isG711 = media.codec.clockRate == 8000

        func senderInfo() -> RTCPSenderReport? {
            guard sender.packetCount > 0 else { return nil }
            let unixMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            return RTCPSenderReport(ssrc: sender.ssrc, ntpTimestamp: NTPTime.timestamp(unixMs: unixMs),
                                    rtpTimestamp: sender.nextTimestamp, packetCount: sender.packetCount,
                                    octetCount: sender.octetCount)
        }
        func sendRTCP(_ bytes: [UInt8]) {
            guard let rtcpSocket, let rtcpTarget else { return }
            rtcpSocket.send(ByteBuffer(bytes: bytes), to: rtcpTarget)
        }

        var result: MediaEnding?
        events: for await event in events {
            switch event {
            case .start:
                guard session == nil else { break }
                let call = CallInfo(callID: plan.callID, callerNumber: plan.callerNumber, calledNumber: plan.calledNumber)
                let (s, first) = CallSession.start(engine: services.engine, call: call, recognizer: services.recognizer)
                session = s
                services.recordStart(plan)
                timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: nowMs())
                if media.pausesMediaTimeout { timeout.pause() }
                pacer = RTPPacer(startMs: nowMs())
                clockTicket = await MediaClock.shared.add(sink)
                fulfil(first)
            case .tick(let fired):
                // Taken out (not copied) so its buffers stay uniquely referenced: a copy
                // would make every frame's processing copy them (copy-on-write).
                guard var current = session.take() else { break }
                // The clock's time, not this loop's: when the loop is late (a starved core,
                // a long recognition), the packets stamped before the tick are the ones
                // already in the jitter buffer, so a packet that came in time plays in time.
                let now = ms(at: fired)
                // The shared clock's phase is not this call's: a tick sends the packets due
                // within half a frame of it, so each regular tick sends exactly one.
                let due = pacer.due(nowMs: now + 10)
                if due.skipped > 0 { sender.skip(samples: due.skipped * rtpFrame) }
                for _ in 0..<due.send {
                    if media.isOnHold {  // held: the session's clock stops (prompts, no-input timers)
                        sender.skip(samples: rtpFrame)
                        continue
                    }
                    switch jitter.pop(nowMs: now) {
                    case .frame(let bytes):
                        let n = bytes.withUnsafeBufferPointer { src in
                            decoded.withUnsafeMutableBufferPointer { dst in
                                let input = isG711 ? UnsafeBufferPointer(rebasing: src.prefix(frame)) : src
                                return (try? codec.decode(input, into: dst)) ?? 0
                            }
                        }
                        copyFrame(from: decoded, count: n, into: &inbound)
                    case .missing:
                        // Concealment: G.711 repeats and fades; Opus runs its own PLC.
                        let n = decoded.withUnsafeMutableBufferPointer { (try? codec.concealLoss(into: $0)) ?? 0 }
                        copyFrame(from: decoded, count: n, into: &inbound)
                    case .empty:
                        for k in 0..<frame { inbound[k] = 0 }
                    }
                    if now < muteAudioUntilMs { for k in 0..<frame { inbound[k] = 0 } }
                    let requests = inbound.withUnsafeBufferPointer { input in
                        outboundPCM.withUnsafeMutableBufferPointer { output in
                            current.process(inbound: input, outbound: output)
                        }
                    }
                    let written = outboundPCM.withUnsafeBufferPointer { pcm in
                        payload.withUnsafeMutableBufferPointer { out in (try? codec.encode(pcm, into: out)) ?? 0 }
                    }
                    let packet = sender.next(payload: written == payload.count ? payload : Array(payload[0..<written]),
                                             samples: rtpFrame)
                    if let target = latch.remoteAddress, media.direction.sends {
                        var buffer = socket.channel.allocator.buffer(capacity: packet.encodedLength)
                        packet.write(to: &buffer)
                        socket.send(buffer, to: target)
                    }
                    if let waited = current.takeResponseLatencyMs() { services.metrics?.observeResponseLatency(ms: waited) }
                    fulfil(requests)
                }
                for update in keys.expire(nowMs: now) { _ = update }
                session = current
                if endReason == nil, timeout.hasExpired(atMs: now) {
                    logger.warning("no RTP for \(services.mediaTimeoutMs / 1000) s: ending the call")
                    endReason = .hangUp("media timeout")
                }
                if rtcp.isDue(nowMs: now) {
                    receptionSampler.report(rtcp.reception, to: services.metrics)
                    sendRTCP(rtcp.makeReport(nowMs: now, localSSRC: sender.ssrc, sender: senderInfo(), using: &random))
                }
            case let .rtp(envelope, received):
                guard let packet = try? RTPPacket(parsing: envelope.data) else { break }
                switch latch.observe(source: envelope.remoteAddress, ssrc: packet.ssrc, payloadType: packet.payloadType) {
                case .reject: continue
                case .latched(let address): logger.debug("RTP latched to \(address)")
                case let .relatched(from, to): logger.notice("RTP source moved from \(from) to \(to)")
                case .accept: break
                }
                let now = ms(at: received)
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
                } else if packet.payloadType == codecPT, !media.isOnHold {
                    rtcp.rtpReceived(ssrc: packet.ssrc, sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp,
                                     clockRate: media.codec.clockRate, arrivalMs: now)
                    jitter.insert(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker,
                                  arrivalMs: now, silent: SilentPayload.isSilent(packet.payload, codec: silenceCodec),
                                  payload: packet.payload)
                }
            case .rtcp(let envelope):
                let unixMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
                do {
                    try rtcp.rtcpReceived(Array(envelope.data.readableBytesView), arrivalMs: nowMs(),
                                          arrivalNTP: NTPTime.timestamp(unixMs: unixMs), localSSRC: sender.ssrc)
                } catch {
                    logger.debug("invalid RTCP from \(envelope.remoteAddress): \(error)")
                    break
                }
                rtcpTarget = envelope.remoteAddress
                if let remote = rtcp.remote, remote != lastRemoteLossLog {
                    lastRemoteLossLog = remote
                    let rtt = remote.roundTripMs.map { ", rtt \(Int($0)) ms" } ?? ""
                    logger.debug("caller reports our stream: \(Int(remote.fractionLost * 100))% lost (\(remote.cumulativeLost) total), jitter \(Int(remote.jitterMs)) ms\(rtt)")
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
            case .update(let new):
                logger.notice("media updated: \(Self.describe(from: media, to: new))")
                if new.codec.name.lowercased() != media.codec.name.lowercased() || new.codec.clockRate != media.codec.clockRate {
                    do {
                        codec = try CallCodec.make(for: new.codec)
                    } catch {
                        logger.error("codec \(new.codec.name) unavailable (\(error)); ending the call")
                        endReason = .hangUp("codec unavailable")
                    }
                    if payload.count < codec.maxPayloadBytes { payload = [UInt8](repeating: 0, count: codec.maxPayloadBytes) }
                }
                if new.codec.clockRate != media.codec.clockRate {
                    // Another clock (G.711 ⇄ Opus) is another RTP stream: new SSRC, timestamps and RTCP state.
                    sender = RTPSender(payloadType: new.codec.payloadType, clockRate: new.codec.clockRate)
                    receptionSampler.report(rtcp.reception, to: services.metrics)
                    receptionSampler = RTPReceptionSampler()
                    jitter = JitterBuffer<[UInt8]>(configuration: .init(clockRate: new.codec.clockRate))
                    rtcp = RTCPSession(cname: "voicegate-\(sender.ssrc)@\(bindHost)", meanIntervalMs: rtcpIntervalMs,
                                       localClockRate: new.codec.clockRate, startMs: nowMs(), using: &random)
                    rtpFrame = new.codec.clockRate / 50
                    isG711 = new.codec.clockRate == 8000
                }
                if Self.needsNewLatch(from: media, to: new) { latch = Self.latch(for: new) }
                if new.isOnHold != media.isOnHold || new.codec != media.codec { jitter.reset() }
                if new.isOnHold != media.isOnHold { sender.beginTalkspurt() }
                if new.pausesMediaTimeout { timeout.pause() } else { timeout.resume(atMs: nowMs()) }
                sender.payloadType = new.codec.payloadType
                silenceCodec = SilentPayload.Codec(sdpName: new.codec.name)
                codecPT = new.codec.payloadType
                eventPT = new.telephoneEventPayloadType
                media = new
            case .close:
                if var current = session {
                    fulfil(current.callerHungUp())
                    session = current
                }
                break events
            }
            if let endReason {
                result = endReason
                break events
            }
        }
        // RFC 3550 6.6: the last report and a BYE say we leave (only once media flowed).
        if session != nil {
            let j = jitter.statistics
            // What the caller's audio went through: concealment in speech (late or lost
            // packets) and frames thrown away are what spoil recognition.
            logger.info("jitter buffer: received \(j.received), late \(j.late), waited \(j.waited), lost \(j.lost), discarded \(j.discarded), silence dropped \(j.silenceDropped), concealed in speech \(j.concealed - j.concealedAtEnd), target \(j.targetDelayMs) ms, transit spread \(j.transitSpreadMs) ms")
            receptionSampler.report(rtcp.reception, to: services.metrics)
            // A transfer's outcome is SIP's to tell (the REFER or bridge may fail): the server counts it.
            if case .transfer? = result {} else { services.metrics?.callEnded(outcome: engineOutcome ?? .failed) }
            sendRTCP(rtcp.makeGoodbye(nowMs: nowMs(), localSSRC: sender.ssrc, sender: senderInfo(), reason: "call ended"))
        }
        return result
    }
}

/// The first 20 ms of a decoder's output as the front end's frame, silence-padded when short.
private func copyFrame(from decoded: [Int16], count: Int, into frame: inout [Int16]) {
    let n = min(max(count, 0), frame.count)
    decoded.withUnsafeBufferPointer { src in
        frame.withUnsafeMutableBufferPointer { dst in
            for k in 0..<n { dst[k] = src[k] }
            for k in n..<dst.count { dst[k] = 0 }
        }
    }
}
