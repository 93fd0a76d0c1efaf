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

/// What reaches one call's media loop from outside its event loop (the SIP side, renders, the
/// bank). Ticks and datagrams do not pass through here: the loop's clock and socket handlers
/// call it directly on its event loop (`CallMediaLoop`).
enum MediaEvent: Sendable {
    /// The dialog is confirmed: greet and send media.
    case start
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
/// parsed, BYE at the end.
///
/// The call's state (`CallMediaLoop`) lives on the event loop of its two sockets: datagrams go
/// from the socket handlers straight into it, and that loop's 20 ms clock (`MediaLoopClock`)
/// steps it, so a frame costs no task, no stream and no thread hop. What comes from elsewhere
/// (SIP events, rendered prompts, the bank's answers) is handed to the event loop.
struct CallMedia: Sendable {
    let plan: MediaPlan
    let bindHost: String
    let services: CallServices
    /// Mean RTCP report interval on port + 1 (randomised 0.5–1.5× per report).
    var rtcpIntervalMs: Int64 = 5000

    /// Binds the sockets, reports them, and runs until the call ends.
    func run(events: AsyncStream<MediaEvent>, report: @escaping @Sendable (MediaReport) -> Void) async {
        var logger = services.logger
        logger[metadataKey: "call-id"] = "\(plan.callID)"
        // Both sockets and the call's state on one event loop: nothing per frame crosses threads.
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let made = try? await eventLoop.submit { [plan, bindHost, services, rtcpIntervalMs, logger] in
            let call = try CallMediaLoop(plan: plan, bindHost: bindHost, services: services,
                                         rtcpIntervalMs: rtcpIntervalMs, logger: logger, eventLoop: eventLoop)
            return (NIOLoopBound(call, eventLoop: eventLoop), call.ended)
        }.get()
        guard let made else {
            // Nothing to play or hear with: the call is answered and ended at once (as before
            // the sockets moved to the event loop, when this was found after the bind).
            logger.error("codec \(plan.media.codec.name) unavailable; ending the call")
            report(.opened(callID: plan.callID))
            report(.ended(callID: plan.callID, reason: "codec unavailable"))
            return
        }
        let (call, ended) = made
        let socket: MediaSocket
        do {
            socket = try await MediaSocket.bind(host: bindHost, port: plan.localRTPPort, on: eventLoop) {
                call.value.receiveRTP($0, at: ContinuousClock.now)
            }
        } catch {
            logger.error("cannot bind RTP port \(plan.localRTPPort): \(error)")
            eventLoop.execute { call.value.abandon() }
            report(.failed(callID: plan.callID, problem: "\(error)"))
            return
        }
        // RTCP on the odd port above (the pool hands out even ports only). A call works without
        // it, so a failure to bind is a warning, not a refusal.
        let rtcpSocket: MediaSocket?
        do {
            rtcpSocket = try await MediaSocket.bind(host: bindHost, port: plan.localRTPPort + 1, on: eventLoop) {
                call.value.receiveRTCP($0)
            }
        } catch {
            logger.warning("cannot bind RTCP port \(plan.localRTPPort + 1): \(error); the call goes on without RTCP")
            rtcpSocket = nil
        }
        try? await eventLoop.submit { call.value.attach(rtp: socket.channel, rtcp: rtcpSocket?.channel) }.get()
        report(.opened(callID: plan.callID))
        // SIP's events, in order, onto the event loop; a finished stream is a close.
        let forwarder = Task {
            for await event in events { eventLoop.execute { call.value.handle(event) } }
            eventLoop.execute { call.value.handle(.close) }
        }
        let ending = (try? await ended.get()) ?? nil
        forwarder.cancel()
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
}
