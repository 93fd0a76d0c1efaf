import Foundation
import Logging
import NIOCore
import NIOPosix
import RTPCore
import SIPCore
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateMedia

/// What reaches a bridged transfer's media task.
enum BridgeMediaEvent: Sendable {
    /// 20 ms passed.
    case tick
    /// RTP from the caller's leg.
    case callerRTP(AddressedEnvelope<ByteBuffer>)
    /// RTP from the agent's leg.
    case agentRTP(AddressedEnvelope<ByteBuffer>)
    /// The agent answered: relay both ways.
    case connect(NegotiatedMedia)
    /// The agent leg failed: sorry prompt, then report the end with `reason`.
    case fail(reason: String)
    /// The sorry prompt was rendered (or could not be).
    case rendered([Int16]?)
    /// SIP ended the call: stop now.
    case close
}

/// A bridged transfer's media: the caller leg's RTP port (bound again: the IVR's media loop
/// closed it at the transfer) and the agent leg's new port. Until the agent answers the caller
/// hears comfort noise (the menu already said "please hold"), then RTP is relayed both ways
/// by two `RTPRelay`s (same codec on both legs: payloads are copied, not transcoded; RFC 4733
/// events pass too). If the agent leg fails, the caller hears the `transfer_failed` prompt
/// when the catalog has one, and the task reports the end so the controller sends BYE.
struct BridgeMedia: Sendable {
    /// The prompt played to the caller when the agent cannot be reached.
    static let sorryPromptID = "transfer_failed"

    let plan: BridgePlan
    let bindHost: String
    let services: CallServices
    let language: Language

    private typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private typealias Outbound = NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>

    /// Binds both ports and runs until the call ends; reports `.ended` when the bridge itself
    /// ends the call (agent leg failed, media timeout, ports not bindable).
    func run(events: AsyncStream<BridgeMediaEvent>, sink: AsyncStream<BridgeMediaEvent>.Continuation,
             report: @escaping @Sendable (MediaReport) -> Void) async {
        var logger = services.logger
        logger[metadataKey: "call-id"] = "\(plan.callID)"
        let caller: Channel
        let agent: Channel
        do {
            // The IVR's socket on this port is closing; give it a moment.
            caller = try await bind(port: plan.callerRTPPort, attempts: 25)
        } catch {
            logger.error("bridge: cannot bind the caller's RTP port \(plan.callerRTPPort): \(error)")
            report(.ended(callID: plan.callID, reason: "transfer_failed (bridge media: caller port \(plan.callerRTPPort))"))
            return
        }
        do {
            agent = try await bind(port: plan.agentRTPPort, attempts: 1)
        } catch {
            try? await caller.channel.close()
            logger.error("bridge: cannot bind the agent leg's RTP port \(plan.agentRTPPort): \(error)")
            report(.ended(callID: plan.callID, reason: "transfer_failed (bridge media: agent port \(plan.agentRTPPort))"))
            return
        }
        logger.info("bridge: caller RTP port \(plan.callerRTPPort), agent leg RTP port \(plan.agentRTPPort); comfort noise until the agent answers")
        do {
            try await caller.executeThenClose { callerIn, callerOut in
                try await agent.executeThenClose { agentIn, agentOut in
                    let readers = [
                        Task { do { for try await e in callerIn { sink.yield(.callerRTP(e)) } } catch {} },
                        Task { do { for try await e in agentIn { sink.yield(.agentRTP(e)) } } catch {} },
                    ]
                    defer { for reader in readers { reader.cancel() } }
                    if let reason = await loop(events: events, sink: sink, callerOut: callerOut, agentOut: agentOut,
                                               logger: logger) {
                        report(.ended(callID: plan.callID, reason: reason))
                    }
                }
            }
        } catch {
            logger.warning("bridge RTP sockets: \(error)")
        }
    }

    private func bind(port: Int, attempts: Int) async throws -> Channel {
        var attempt = 0
        while true {
            do {
                return try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .bind(host: bindHost, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try Channel(wrappingChannelSynchronously: channel) }
                    }
            } catch {
                attempt += 1
                if attempt >= attempts { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The event loop; returns the reason when the bridge ends the call, nil when SIP closed it.
    private func loop(events: AsyncStream<BridgeMediaEvent>, sink: AsyncStream<BridgeMediaEvent>.Continuation,
                      callerOut: Outbound, agentOut: Outbound, logger: Logger) async -> String? {
        let callerMedia = plan.callerMedia
        let frame = CallFrontEnd.frameSamples
        var codec = G711Codec(law: callerMedia.codec.name.uppercased() == "PCMA" ? .alaw : .ulaw)
        var callerSender = RTPSender(payloadType: callerMedia.codec.payloadType, clockRate: 8000)
        let callerPTs = Set([callerMedia.codec.payloadType] + (callerMedia.telephoneEventPayloadType.map { [$0] } ?? []))
        var callerLatch = SymmetricRTPLatch<SocketAddress>(
            signalledAddress: try? SocketAddress(ipAddress: callerMedia.remoteAddress, port: callerMedia.remoteRTPPort),
            payloadTypes: callerPTs)
        var agentLatch: SymmetricRTPLatch<SocketAddress>?
        var toAgent: RTPRelay?
        var toCaller: RTPRelay?

        // Comfort noise (about -60 dBov), encoded once: four frames played in turn.
        var generator = SystemRandomNumberGenerator()
        var pcm = [Int16](repeating: 0, count: frame)
        var payload = [UInt8](repeating: 0, count: frame)
        var noise: [[UInt8]] = []
        for _ in 0..<4 {
            for k in 0..<frame { pcm[k] = Int16.random(in: -24...24, using: &generator) }
            _ = pcm.withUnsafeBufferPointer { src in payload.withUnsafeMutableBufferPointer { (try? codec.encode(src, into: $0)) ?? 0 } }
            noise.append(payload)
        }
        var noiseIndex = 0

        let clock = ContinuousClock()
        let started = clock.now
        func nowMs() -> Int64 {
            let d = clock.now - started
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
        var timeout = MediaTimeout(timeoutMs: services.mediaTimeoutMs, startMs: 0)
        var pacer = RTPPacer(startMs: 0)
        let ticker = Task {
            var due = clock.now
            while !Task.isCancelled {
                due = due.advanced(by: .milliseconds(20))
                try? await clock.sleep(until: due)
                sink.yield(.tick)
            }
        }
        defer { ticker.cancel() }
        let renderer = PromptRenderWorker(source: services.prompts, sampleRate: CallFrontEnd.sampleRate) { outcome in
            switch outcome {
            case .rendered(_, let samples): sink.yield(.rendered(samples))
            case .failed: sink.yield(.rendered(nil))
            }
        }
        defer { renderer.stop() }

        var failing: String?  // the end reason once the agent leg failed
        var sorry: [Int16]?   // the sorry prompt while it plays
        var sorryAt = 0
        var failedAtMs: Int64 = 0
        var counts = (toAgent: 0, toCaller: 0, fromCaller: 0, fromAgent: 0, noise: 0)

        func send(_ packet: RTPPacket, on outbound: Outbound, to target: SocketAddress?) async {
            guard let target else { return }
            var buffer = ByteBuffer()
            packet.write(to: &buffer)
            do {
                try await outbound.write(AddressedEnvelope(remoteAddress: target, data: buffer))
            } catch {
                logger.warning("bridge: RTP send to \(target) failed: \(error)")
            }
        }

        for await event in events {
            switch event {
            case .tick:
                let now = nowMs()
                let due = pacer.due(nowMs: now)
                if due.skipped > 0 { callerSender.skip(samples: due.skipped * frame) }
                // Our own audio to the caller only until the relay takes over.
                if toCaller == nil {
                    for _ in 0..<due.send {
                        var packetPayload = noise[noiseIndex % noise.count]
                        noiseIndex += 1
                        if let samples = sorry {
                            for k in 0..<frame { pcm[k] = sorryAt + k < samples.count ? samples[sorryAt + k] : 0 }
                            sorryAt += frame
                            _ = pcm.withUnsafeBufferPointer { src in
                                payload.withUnsafeMutableBufferPointer { (try? codec.encode(src, into: $0)) ?? 0 }
                            }
                            packetPayload = payload
                        }
                        counts.noise += 1
                        await send(callerSender.next(payload: packetPayload, samples: frame), on: callerOut,
                                   to: callerLatch.remoteAddress)
                    }
                }
                if let reason = failing {
                    if let samples = sorry, sorryAt >= samples.count { return reason }
                    if sorry == nil, now - failedAtMs > 5000 { return reason }  // the render hangs: no prompt
                }
                if timeout.hasExpired(atMs: now) {
                    logger.warning("bridge: no RTP from the caller for \(services.mediaTimeoutMs / 1000) s: ending the call")
                    return "media timeout"
                }
            case .callerRTP(let envelope):
                guard let packet = try? RTPPacket(parsing: envelope.data) else { break }
                counts.fromCaller += 1
                if case .reject = callerLatch.observe(source: envelope.remoteAddress, ssrc: packet.ssrc,
                                                      payloadType: packet.payloadType) { break }
                timeout.packetReceived(atMs: nowMs())
                if var relay = toAgent, let out = relay.relay(packet) {
                    toAgent = relay
                    counts.toAgent += 1
                    await send(out, on: agentOut, to: agentLatch?.remoteAddress)
                }
            case .agentRTP(let envelope):
                guard var latch = agentLatch, let packet = try? RTPPacket(parsing: envelope.data) else { break }
                counts.fromAgent += 1
                if case .reject = latch.observe(source: envelope.remoteAddress, ssrc: packet.ssrc,
                                                payloadType: packet.payloadType) { break }
                agentLatch = latch
                if var relay = toCaller, let out = relay.relay(packet) {
                    toCaller = relay
                    counts.toCaller += 1
                    await send(out, on: callerOut, to: callerLatch.remoteAddress)
                }
            case .connect(let agentMedia):
                guard failing == nil, toAgent == nil else { break }
                var callerToAgent: [UInt8: UInt8] = [callerMedia.codec.payloadType: agentMedia.codec.payloadType]
                var agentToCaller: [UInt8: UInt8] = [agentMedia.codec.payloadType: callerMedia.codec.payloadType]
                if let c = callerMedia.telephoneEventPayloadType, let a = agentMedia.telephoneEventPayloadType {
                    callerToAgent[c] = a
                    agentToCaller[a] = c
                }
                agentLatch = SymmetricRTPLatch<SocketAddress>(
                    signalledAddress: try? SocketAddress(ipAddress: agentMedia.remoteAddress, port: agentMedia.remoteRTPPort),
                    payloadTypes: Set(agentToCaller.keys))
                let agentStream = RTPSender(payloadType: agentMedia.codec.payloadType, clockRate: 8000)
                toAgent = RTPRelay(ssrc: agentStream.ssrc, initialSequence: agentStream.nextSequenceNumber,
                                   initialTimestamp: agentStream.nextTimestamp, payloadTypes: callerToAgent)
                // The caller's stream goes on under the same SSRC, from where the comfort noise stood.
                toCaller = RTPRelay(ssrc: callerSender.ssrc, initialSequence: callerSender.nextSequenceNumber,
                                    initialTimestamp: callerSender.nextTimestamp, payloadTypes: agentToCaller)
                logger.notice("bridge connected: relaying \(callerMedia.codec.name) between the caller and the agent at \(agentMedia.remoteAddress):\(agentMedia.remoteRTPPort)")
            case .fail(let reason):
                guard failing == nil else { break }
                failing = reason
                failedAtMs = nowMs()
                renderer.submit(playID: "bridge-sorry", segments: [.prompt(Self.sorryPromptID)], language: language, slow: false)
            case .rendered(let samples):
                guard failing != nil else { break }
                guard let samples, !samples.isEmpty else {
                    logger.info("bridge: no \(Self.sorryPromptID) prompt to play; ending the call")
                    return failing
                }
                logger.info("bridge: playing \(Self.sorryPromptID) (\(samples.count / 8) ms) to the caller before BYE")
                callerSender.beginTalkspurt()
                sorry = samples
                sorryAt = 0
            case .close:
                logger.info("bridge ended: RTP packets caller→agent \(counts.toAgent) of \(counts.fromCaller), agent→caller \(counts.toCaller) of \(counts.fromAgent), \(counts.noise) of our own to the caller")
                return nil
            }
        }
        return nil
    }
}
