import CALSA
import Dispatch
import Glibc
public import VoiceGateDialog
public import VoiceGateMedia

/// Runs one call through a `CallSession` on the local sound card: the real-time twin of
/// `CallSimulator` (`voicegate console`). The microphone is the caller, the speaker plays what
/// the caller would hear.
///
/// One event loop owns the session (a value type) and both PCMs. Everything slow happens
/// elsewhere and comes back as an event on one `AsyncStream`: prompt renders (one worker, in
/// the order asked, so prompts queue in order), bank lookups, Ctrl-C, and a 5 ms tick on
/// which the loop moves every whole 20 ms frame the capture device has ready. So the audio
/// never waits for a render, and no state is shared between threads.
public struct ConsoleCall: Sendable {
    /// Where the audio goes and how long the call may last.
    public struct Options: Sendable {
        /// ALSA capture device (microphone).
        public var captureDevice: String
        /// ALSA playback device (speaker).
        public var playbackDevice: String
        /// The caller "hangs up" after this many seconds of call time if the IVR has not ended
        /// the call.
        public var maximumSeconds: Double?
        /// Treat SIGINT (Ctrl-C) as the caller hanging up.
        public var hangUpOnInterrupt: Bool

        /// Options; both devices default to ALSA's `default`.
        public init(captureDevice: String = "default", playbackDevice: String = "default",
                    maximumSeconds: Double? = nil, hangUpOnInterrupt: Bool = true) {
            self.captureDevice = captureDevice
            self.playbackDevice = playbackDevice
            self.maximumSeconds = maximumSeconds
            self.hangUpOnInterrupt = hangUpOnInterrupt
        }
    }

    /// Why the console call stopped.
    public enum Ending: String, Sendable, Equatable {
        /// The IVR hung up or transferred the call.
        case ivr
        /// `maximumSeconds` was reached.
        case maximumSeconds = "max_seconds"
        /// Ctrl-C.
        case interrupted
    }

    /// What a console call produced.
    public struct Result: Sendable {
        /// Why it stopped.
        public var ending: Ending
        /// How the engine saw the call end.
        public var outcome: CallOutcome?
        /// Transfer requested, if any.
        public var transfer: (queue: String, reason: String, context: TransferContext)?
        /// Nodes entered, in order.
        public var nodes: [String]
        /// Call time in seconds (frames moved × 20 ms).
        public var durationSeconds: Double
        /// Capture overruns plus playback underruns recovered from.
        public var xruns: Int
    }

    /// The engine (menu version) to run.
    public var engine: DialogEngine
    /// Renders prompts.
    public var prompts: any PromptAudioSource
    /// Answers lookups.
    public var bank: any BankBackend
    /// Recognises speech (nil: speech counts as no-match).
    public var recognizer: (any UtteranceRecognizer)?
    /// Devices and limits.
    public var options: Options

    /// A console call; see the properties.
    public init(engine: DialogEngine, prompts: any PromptAudioSource, bank: any BankBackend,
                recognizer: (any UtteranceRecognizer)? = nil, options: Options = .init()) {
        self.engine = engine
        self.prompts = prompts
        self.bank = bank
        self.recognizer = recognizer
        self.options = options
    }

    /// What reaches the event loop.
    private enum Event: Sendable {
        case tick
        case rendered(playID: String, samples: [Int16])
        case renderFailed(playID: String, problem: String)
        case answered(BackendResult)
        case interrupted
    }

    /// Opens the devices and runs the call until the IVR ends it, `maximumSeconds` pass or
    /// Ctrl-C.
    /// - Parameters:
    ///   - onTrace: every trace event, as it happens.
    ///   - onProblem: renders that failed (the prompt counts as played) and similar notes.
    /// - Throws: `AlsaError` when a device cannot be opened or fails mid-call (xruns are
    ///   recovered, not thrown).
    public func run(call: CallInfo, onTrace: (TraceEvent) -> Void,
                    onProblem: (String) -> Void = { _ in }) async throws(AlsaError) -> Result {
        let capture = try AlsaPCM(device: options.captureDevice, stream: .capture, sampleRate: CallFrontEnd.sampleRate)
        let playback = try AlsaPCM(device: options.playbackDevice, stream: .playback, sampleRate: CallFrontEnd.sampleRate)

        let (events, eventSink) = AsyncStream<Event>.makeStream()
        let renderer = PromptRenderWorker(source: self.prompts, sampleRate: CallFrontEnd.sampleRate) { outcome in
            switch outcome {
            case let .rendered(playID, samples): eventSink.yield(.rendered(playID: playID, samples: samples))
            case let .failed(playID, problem): eventSink.yield(.renderFailed(playID: playID, problem: problem))
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
                eventSink.yield(.tick)
            }
        }
        let interrupts = options.hangUpOnInterrupt ? Self.watchInterrupts { eventSink.yield(.interrupted) } : nil
        defer {
            interrupts?.cancel()
            if interrupts != nil { signal(SIGINT, SIG_DFL) }
            ticker.cancel()
            renderer.stop()
            eventSink.finish()
        }

        var (session, firstRequests) = CallSession.start(engine: engine, call: call, recognizer: recognizer)
        var nodes: [String] = []
        var transfer: (queue: String, reason: String, context: TransferContext)?
        let bank = self.bank

        func fulfil(_ requests: [SessionRequest]) {
            for request in requests {
                switch request {
                case let .render(playID, segments, language, slow):
                    renderer.submit(playID: playID, segments: segments, language: language, slow: slow)
                case .lookup(let lookup):
                    Task { eventSink.yield(.answered(await bank.perform(lookup))) }
                case let .transfer(queue, reason, _, context):
                    transfer = (queue, reason, context)
                case .hangUp:
                    break
                case .trace(let event):
                    if event.type == "node", let node = event.node { nodes.append(node) }
                    onTrace(event)
                }
            }
        }

        let frame = CallFrontEnd.frameSamples
        let frameMs = Int64(frame * 1000 / CallFrontEnd.sampleRate)
        let maximumMs = options.maximumSeconds.map { Int64(($0 * 1000).rounded()) }
        var inbound = [Int16](repeating: 0, count: frame)
        var outbound = [Int16](repeating: 0, count: frame)
        var framesMoved: Int64 = 0
        var ending = Ending.ivr
        let clock = ContinuousClock()
        let started = clock.now

        fulfil(firstRequests)
        firstRequests = []
        loop: for await event in events {
            switch event {
            case .tick:
                // A real device is the clock: move what it has. The null PCM has no clock, so
                // move what the wall clock says is due.
                var due: Int
                if capture.pacesItself {
                    due = try capture.availableFrames() / frame
                } else {
                    let elapsed = clock.now - started
                    let elapsedMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
                    due = Int(elapsedMs / frameMs - framesMoved)
                }
                while due > 0 && !session.isEnded {
                    due -= 1
                    let got = try inbound.withUnsafeMutableBufferPointer { buffer throws(AlsaError) in
                        try capture.read(into: buffer)
                    }
                    guard got == frame else { break }  // overrun just recovered, or not ready
                    let requests = inbound.withUnsafeBufferPointer { input in
                        outbound.withUnsafeMutableBufferPointer { output in
                            session.process(inbound: input, outbound: output)
                        }
                    }
                    try outbound.withUnsafeBufferPointer { buffer throws(AlsaError) in
                        _ = try playback.write(buffer)
                    }
                    framesMoved += 1
                    fulfil(requests)
                    if let maximumMs, !session.isEnded, session.nowMs >= maximumMs {
                        ending = .maximumSeconds
                        fulfil(session.callerHungUp())
                    }
                }
            case let .rendered(playID, samples):
                session.promptAudio(playID: playID, samples: samples)
            case let .renderFailed(playID, problem):
                onProblem("prompt \(playID): \(problem)")
                fulfil(session.promptFailed(playID: playID))
            case .answered(let answer):
                fulfil(session.backendAnswered(answer))
            case .interrupted:
                ending = .interrupted
                fulfil(session.callerHungUp())
            }
            if session.isEnded { break loop }
        }

        if ending == .interrupted { playback.abandon() } else { playback.finish() }
        capture.finish()
        return Result(ending: ending, outcome: session.state.outcome, transfer: transfer, nodes: nodes,
                      durationSeconds: Double(framesMoved * frameMs) / 1000,
                      xruns: capture.xrunCount + playback.xrunCount)
    }

    /// Routes SIGINT to `handler` (instead of killing the process) until the source is
    /// cancelled.
    private static func watchInterrupts(_ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
