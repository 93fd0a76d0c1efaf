public import VoiceGateDialog
public import VoiceGateDSP

/// Runs one whole call offline through a `CallSession` — the real front end, engine and
/// prompts — on recorded caller audio, in virtual time: `voicegate simulate` and the
/// end-to-end tests. The bank answers at once (its latency is not simulated).
public struct CallSimulator: Sendable {
    /// What a simulated call produced.
    public struct Result: Sendable {
        /// What the caller heard, 8 kHz.
        public var heard: [Int16]
        /// Every trace event, in order.
        public var trace: [TraceEvent]
        /// Transfer requested, if any.
        public var transfer: (queue: String, reason: String, context: TransferContext)?
        /// How the call ended.
        public var outcome: CallOutcome?
        /// Call length in seconds.
        public var durationSeconds: Double
    }

    /// The engine (menu version) to run.
    public var engine: DialogEngine
    /// Renders prompts.
    public var prompts: any PromptAudioSource
    /// Answers lookups.
    public var bank: any BankBackend
    /// Recognises speech (nil: speech counts as no-match).
    public var recognizer: (any UtteranceRecognizer)?
    /// When the caller hangs up if the IVR has not ended the call, in seconds.
    public var maximumSeconds: Double

    /// A simulator; see the properties.
    public init(engine: DialogEngine, prompts: any PromptAudioSource, bank: any BankBackend,
                recognizer: (any UtteranceRecognizer)? = nil, maximumSeconds: Double = 180) {
        self.engine = engine
        self.prompts = prompts
        self.bank = bank
        self.recognizer = recognizer
        self.maximumSeconds = maximumSeconds
    }

    /// Plays `caller` (8 kHz; silence after it ends) into a call from `call`.
    /// - Throws: rendering errors are not thrown (the prompt counts as played and the problem
    ///   is reported through `onProblem`); nothing else throws today.
    public func run(call: CallInfo, caller: [Int16], onProblem: (String) -> Void = { _ in }) async -> Result {
        var (session, requests) = CallSession.start(engine: engine, call: call, recognizer: recognizer)
        var heard: [Int16] = []
        var trace: [TraceEvent] = []
        var transfer: (queue: String, reason: String, context: TransferContext)?
        let frame = CallFrontEnd.frameSamples
        let maximumFrames = Int(maximumSeconds * Double(CallFrontEnd.sampleRate)) / frame
        var inbound = [Int16](repeating: 0, count: frame)
        var outbound = [Int16](repeating: 0, count: frame)
        var index = 0

        func fulfil(_ first: [SessionRequest]) async {
            var pending = first
            while !pending.isEmpty {
                let request = pending.removeFirst()
                switch request {
                case let .render(playID, segments, language, slow):
                    do {
                        let audio = try await prompts.audio(for: segments, language: language, slow: slow,
                                                            sampleRate: CallFrontEnd.sampleRate)
                        session.promptAudio(playID: playID, samples: audio)
                    } catch {
                        onProblem("prompt \(playID): \(error)")
                        pending += session.promptFailed(playID: playID)
                    }
                case .lookup(let lookup):
                    let answer = await bank.perform(lookup)
                    pending += session.backendAnswered(answer)
                case let .transfer(queue, reason, _, context):
                    transfer = (queue, reason, context)
                case .hangUp:
                    break
                case .trace(let event):
                    trace.append(event)
                }
            }
        }

        await fulfil(requests)
        while !session.isEnded && index < maximumFrames {
            let start = index * frame
            for k in 0..<frame { inbound[k] = start + k < caller.count ? caller[start + k] : 0 }
            requests = inbound.withUnsafeBufferPointer { input in
                outbound.withUnsafeMutableBufferPointer { output in
                    session.process(inbound: input, outbound: output)
                }
            }
            heard += outbound
            index += 1
            await fulfil(requests)
        }
        if !session.isEnded { await fulfil(session.callerHungUp()) }
        return Result(heard: heard, trace: trace, transfer: transfer, outcome: session.state.outcome,
                      durationSeconds: Double(index * frame) / Double(CallFrontEnd.sampleRate))
    }
}
