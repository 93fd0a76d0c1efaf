import Foundation
import Logging
import NIOCore
import RTPCore
import SIPCore
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateMedia

/// One call's media state, confined to the event loop of its sockets (see `CallMedia`).
///
/// Its owners call it only on that loop: the RTP and RTCP socket handlers (`receiveRTP`,
/// `receiveRTCP`), the loop's 20 ms clock (`tick`), and what `CallMedia` hands over from SIP,
/// the prompt renderer and the bank (`handle`). When the IVR or SIP ends the call it leaves
/// the clock, says goodbye on RTCP and completes `ended` with why (nil: SIP closed it).
final class CallMediaLoop {
    /// Completed once, when the call's media ends: why the IVR ended it, or nil when SIP did.
    let ended: EventLoopFuture<MediaEnding?>

    private let plan: MediaPlan
    private let bindHost: String
    private let services: CallServices
    private let rtcpIntervalMs: Int64
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let endedPromise: EventLoopPromise<MediaEnding?>
    private var rtpChannel: (any Channel)?
    private var rtcpChannel: (any Channel)?
    private var clock: MediaLoopClock?
    private var isFinished = false

    private var media: NegotiatedMedia
    private var codecPT: UInt8
    private var eventPT: UInt8?
    private var codec: any AudioCodec
    /// RTP timestamp units per 20 ms packet: 160 for G.711, 960 for Opus (48 kHz clock).
    private var rtpFrame: Int
    private var sender: RTPSender
    private var latch: SymmetricRTPLatch<SocketAddress>
    private var jitter: JitterBuffer<[UInt8]>
    /// Which frames the jitter buffer may drop to shrink its delay (silence only).
    private var silenceCodec: SilentPayload.Codec
    private var random = SystemRandomNumberGenerator()
    private var rtcp: RTCPSession
    /// Where RTCP goes: where the caller's RTCP comes from once it has sent some (symmetric
    /// RTCP, RFC 4961), else the SDP's RTCP address (port + 1 or `a=rtcp`).
    private var rtcpTarget: SocketAddress?
    private var lastRemoteLossLog: RTCPSession.RemoteReception?
    private var keys = TelephoneEventReceiver()
    private var dedup = DigitDeduplicator()
    /// Phones that send RFC 4733 often leave the tones in the audio too: while events arrive
    /// (plus the audio's playout delay) the in-band detector hears silence, so one press is
    /// one key.
    private var muteAudioUntilMs: Int64 = -1
    private let started = ContinuousClock.now
    private var timeout: MediaTimeout
    /// When each frame is due: set at the call's first tick, so its due times fall on the loop
    /// clock's ticks and a tick a little early or late still sends exactly one frame.
    private var pacer: RTPPacer?
    private var renderer: PromptRenderWorker?
    private var trace: TraceFile?

    private var session: CallSession?
    private var endReason: MediaEnding?
    private var engineOutcome: CallOutcome?
    private var receptionSampler = RTPReceptionSampler()

    private var inbound: [Int16]
    /// Decoder output: an Opus packet may hold up to 120 ms (the loop plays its first 20 ms).
    private var decoded: [Int16]
    private var outboundPCM: [Int16]
    private var payload: [UInt8]
    /// The outbound datagram's bytes, reused every frame (the write is done when the flush
    /// returns on this loop, so the buffer is unique again by the next frame).
    private var outboundBuffer = ByteBuffer()
    private var isG711: Bool

    /// The state of a call about to start; throws when its codec is not available.
    init(plan: MediaPlan, bindHost: String, services: CallServices, rtcpIntervalMs: Int64, logger: Logger,
         eventLoop: any EventLoop) throws {
        self.plan = plan
        self.bindHost = bindHost
        self.services = services
        self.rtcpIntervalMs = rtcpIntervalMs
        self.logger = logger
        self.eventLoop = eventLoop
        let promise = eventLoop.makePromise(of: MediaEnding?.self)
        do {
            codec = try CallCodec.make(for: plan.media.codec)
        } catch {
            promise.succeed(nil)  // a promise must not be dropped unfulfilled
            throw error
        }
        endedPromise = promise
        ended = promise.futureResult
        media = plan.media
        codecPT = media.codec.payloadType
        eventPT = media.telephoneEventPayloadType
        rtpFrame = media.codec.clockRate / 50
        sender = RTPSender(payloadType: codecPT, clockRate: media.codec.clockRate)
        latch = CallMedia.latch(for: media)
        jitter = JitterBuffer<[UInt8]>(configuration: .init(clockRate: media.codec.clockRate))
        silenceCodec = SilentPayload.Codec(sdpName: media.codec.name)
        rtcp = RTCPSession(cname: "voicegate-\(sender.ssrc)@\(bindHost)", meanIntervalMs: rtcpIntervalMs,
                           localClockRate: media.codec.clockRate, startMs: 0, using: &random)
        rtcpTarget = try? SocketAddress(ipAddress: media.remoteRTCPAddress, port: media.remoteRTCPPort)
        timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: 0)
        let frame = CallFrontEnd.frameSamples
        inbound = [Int16](repeating: 0, count: frame)
        decoded = [Int16](repeating: 0, count: max(frame, 960))
        outboundPCM = [Int16](repeating: 0, count: frame)
        payload = [UInt8](repeating: 0, count: max(frame, codec.maxPayloadBytes))
        isG711 = media.codec.clockRate == 8000
    }

    /// The bound sockets: from now on the call renders prompts, writes its trace and sends.
    func attach(rtp: any Channel, rtcp: (any Channel)?) {
        rtpChannel = rtp
        rtcpChannel = rtcp
        outboundBuffer = rtp.allocator.buffer(capacity: RTPPacket.fixedHeaderLength + payload.count)
        let me = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = eventLoop
        renderer = PromptRenderWorker(source: services.prompts, sampleRate: CallFrontEnd.sampleRate) { outcome in
            let event: MediaEvent
            switch outcome {
            case let .rendered(playID, samples): event = .rendered(playID: playID, samples: samples)
            case let .failed(playID, problem): event = .renderFailed(playID: playID, problem: problem)
            }
            eventLoop.execute { me.value.handle(event) }
        }
        trace = TraceFile(directory: services.traceDirectory, callID: plan.callID)
    }

    private func ms(at instant: ContinuousClock.Instant) -> Int64 {
        let d = instant - started
        return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    private func nowMs() -> Int64 { ms(at: .now) }

    // MARK: Events from SIP, the renderer and the bank

    /// An event from outside the event loop (see `MediaEvent`).
    func handle(_ event: MediaEvent) {
        guard !isFinished else { return }
        switch event {
        case .start:
            guard session == nil else { break }
            let call = CallInfo(callID: plan.callID, callerNumber: plan.callerNumber, calledNumber: plan.calledNumber)
            let (s, first) = CallSession.start(engine: services.engine, call: call, recognizer: services.recognizer)
            session = s
            services.recordStart(plan)
            timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: nowMs())
            if media.pausesMediaTimeout { timeout.pause() }
            pacer = nil  // set on the first tick, in the loop clock's phase
            clock = MediaLoopClock.on(eventLoop)
            clock?.add(self)
            fulfil(first)
        case let .rendered(playID, samples):
            session?.promptAudio(playID: playID, samples: samples)
        case let .renderFailed(playID, problem):
            logger.warning("prompt \(playID) not rendered: \(problem)")
            drive { $0.promptFailed(playID: playID) }
        case .answered(let answer):
            drive { $0.backendAnswered(answer) }
        case .key(let digit):
            let seen = DigitDeduplicator.Observation(digit: digit, source: .sipInfo, startMs: nowMs())
            if dedup.accept(seen) { drive { $0.keyPressed(digit) } }
        case .update(let new):
            update(to: new)
        case .close:
            drive { $0.callerHungUp() }
            finish(nil)
            return
        }
        finishIfEnded()
    }

    /// A re-INVITE (or the ACK of an offerless INVITE) settled new media (`CallMedia+Update.swift`).
    private func update(to new: NegotiatedMedia) {
        logger.notice("media updated: \(CallMedia.describe(from: media, to: new))")
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
        if CallMedia.needsNewLatch(from: media, to: new) { latch = CallMedia.latch(for: new) }
        if new.isOnHold != media.isOnHold || new.codec != media.codec { jitter.reset() }
        if new.isOnHold != media.isOnHold { sender.beginTalkspurt() }
        if new.pausesMediaTimeout { timeout.pause() } else { timeout.resume(atMs: nowMs()) }
        sender.payloadType = new.codec.payloadType
        silenceCodec = SilentPayload.Codec(sdpName: new.codec.name)
        codecPT = new.codec.payloadType
        eventPT = new.telephoneEventPayloadType
        media = new
    }

    // MARK: The 20 ms clock

    /// The loop's clock fired at `fired`: sends the frames due (normally one).
    func tick(at fired: ContinuousClock.Instant) {
        guard !isFinished else { return }
        // Taken out (not copied) so its buffers stay uniquely referenced: a copy
        // would make every frame's processing copy them (copy-on-write).
        guard var current = session.take() else { return }
        // The clock's time, not this call's: when the loop is late (a starved core, a long
        // recognition), the packets stamped before the tick are the ones already in the
        // jitter buffer, so a packet that came in time plays in time.
        let now = ms(at: fired)
        // Due times on the ticks; a tick sends the packets due within half a frame of it, so
        // each regular tick sends exactly one and a late one also sends the backlog.
        var framePacer = pacer ?? RTPPacer(startMs: now)
        let due = framePacer.due(nowMs: now + 10)
        pacer = framePacer
        if due.skipped > 0 { sender.skip(samples: due.skipped * rtpFrame) }
        for _ in 0..<due.send {
            if media.isOnHold {  // held: the session's clock stops (prompts, no-input timers)
                sender.skip(samples: rtpFrame)
                continue
            }
            sendFrame(now: now, session: &current)
        }
        _ = keys.expire(nowMs: now)  // ends presses whose end packets were lost (a key counts when it begins)
        // Moved back, not copied: a copy of the session (its engine, state, front end) costs a
        // retain per reference and a memmove every frame.
        session = consume current
        if endReason == nil, timeout.hasExpired(atMs: now) {
            logger.warning("no RTP for \(services.mediaTimeoutMs / 1000) s: ending the call")
            endReason = .hangUp("media timeout")
        }
        if rtcp.isDue(nowMs: now) {
            receptionSampler.report(rtcp.reception, to: services.metrics)
            sendRTCP(rtcp.makeReport(nowMs: now, localSSRC: sender.ssrc, sender: senderInfo(), using: &random))
        }
        finishIfEnded()
    }

    /// One frame: the caller's audio out of the jitter buffer, through the session, and the
    /// answer's audio encoded and sent.
    private func sendFrame(now: Int64, session current: inout CallSession) {
        let frame = CallFrontEnd.frameSamples
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
        // The encoder's room (up to `maxPayloadBytes`) is cut to what it wrote and grown back
        // after the send, in place: a copy of the written prefix was an allocation every frame
        // (G.711 writes 160 bytes into a larger buffer).
        let room = payload.count
        if written < room { payload.removeLast(room - written) }
        do {
            let packet = sender.next(payload: payload, samples: rtpFrame)
            if let target = latch.remoteAddress, media.direction.sends, let rtpChannel {
                outboundBuffer.clear()
                packet.write(to: &outboundBuffer)
                rtpChannel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: outboundBuffer), promise: nil)
            }
        }  // the packet, and its reference to `payload`, end here
        if written < room { payload.append(contentsOf: repeatElement(0, count: room - written)) }
        if let waited = current.takeResponseLatencyMs() { services.metrics?.observeResponseLatency(ms: waited) }
        fulfil(requests)
    }

    // MARK: Datagrams

    /// An RTP datagram read at `received`.
    func receiveRTP(_ envelope: AddressedEnvelope<ByteBuffer>, at received: ContinuousClock.Instant) {
        guard !isFinished, let packet = try? RTPPacket(parsing: envelope.data) else { return }
        switch latch.observe(source: envelope.remoteAddress, ssrc: packet.ssrc, payloadType: packet.payloadType) {
        case .reject: return
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
                if dedup.accept(seen) { drive { $0.keyPressed(press.digit) } }
            }
        } else if packet.payloadType == codecPT, !media.isOnHold {
            rtcp.rtpReceived(ssrc: packet.ssrc, sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp,
                             clockRate: media.codec.clockRate, arrivalMs: now)
            jitter.insert(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker,
                          arrivalMs: now, silent: SilentPayload.isSilent(packet.payload, codec: silenceCodec),
                          payload: packet.payload)
        }
        finishIfEnded()
    }

    /// An RTCP datagram (RTP port + 1).
    func receiveRTCP(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard !isFinished else { return }
        let unixMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        do {
            try rtcp.rtcpReceived(Array(envelope.data.readableBytesView), arrivalMs: nowMs(),
                                  arrivalNTP: NTPTime.timestamp(unixMs: unixMs), localSSRC: sender.ssrc)
        } catch {
            logger.debug("invalid RTCP from \(envelope.remoteAddress): \(error)")
            return
        }
        rtcpTarget = envelope.remoteAddress
        if let remote = rtcp.remote, remote != lastRemoteLossLog {
            lastRemoteLossLog = remote
            let rtt = remote.roundTripMs.map { ", rtt \(Int($0)) ms" } ?? ""
            logger.debug("caller reports our stream: \(Int(remote.fractionLost * 100))% lost (\(remote.cumulativeLost) total), jitter \(Int(remote.jitterMs)) ms\(rtt)")
        }
    }

    // MARK: Requests and the end

    /// Runs `body` on the session, if the call has one, and fulfils what it asks for. The
    /// session is taken out while `body` runs, not copied (a copy would make its buffers copy
    /// on the next write).
    private func drive(_ body: (inout CallSession) -> [SessionRequest]) {
        guard var current = session.take() else { return }
        let requests = body(&current)
        session = consume current
        fulfil(requests)
    }

    private func fulfil(_ requests: [SessionRequest]) {
        for request in requests {
            switch request {
            case let .render(playID, segments, language, slow):
                renderer?.submit(playID: playID, segments: segments, language: language, slow: slow)
            case .lookup(let lookup):
                let bank = services.bank
                let me = NIOLoopBound(self, eventLoop: eventLoop)
                let eventLoop = eventLoop
                Task {
                    let answer = await bank.perform(lookup)
                    eventLoop.execute { me.value.handle(.answered(answer)) }
                }
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

    private func senderInfo() -> RTCPSenderReport? {
        guard sender.packetCount > 0 else { return nil }
        let unixMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return RTCPSenderReport(ssrc: sender.ssrc, ntpTimestamp: NTPTime.timestamp(unixMs: unixMs),
                                rtpTimestamp: sender.nextTimestamp, packetCount: sender.packetCount,
                                octetCount: sender.octetCount)
    }

    private func sendRTCP(_ bytes: [UInt8]) {
        guard let rtcpChannel, let rtcpTarget else { return }
        rtcpChannel.writeAndFlush(AddressedEnvelope(remoteAddress: rtcpTarget, data: ByteBuffer(bytes: bytes)), promise: nil)
    }

    /// The call never started (its RTP port could not be bound): nothing to say or record.
    func abandon() {
        guard !isFinished else { return }
        isFinished = true
        endedPromise.succeed(nil)
    }

    private func finishIfEnded() {
        if let endReason { finish(endReason) }
    }

    /// The media ends (`result` nil: SIP closed it): the last RTCP, records and trace closed,
    /// `ended` completed. `CallMedia` then closes the sockets.
    private func finish(_ result: MediaEnding?) {
        guard !isFinished else { return }
        isFinished = true
        clock?.remove(self)
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
        renderer?.stop()
        renderer = nil
        services.records?.mediaEnded(callID: plan.callID, detail: endReason.recordDetail)
        trace?.close()
        trace = nil
        endedPromise.succeed(result)
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
