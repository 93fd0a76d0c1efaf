public import VoiceGateDialog
public import VoiceGateDSP

/// Something the session needs its driver (the SIP call, the simulator, the console) to do.
/// The session itself does no IO: prompts are rendered, the bank is asked and the call is
/// transferred or ended by the driver, which reports back through the session's methods.
public enum SessionRequest: Sendable, Equatable {
    /// Render `segments` to 8 kHz audio and hand it back with `promptAudio(playID:samples:)`
    /// (or `promptFailed(playID:)`).
    case render(playID: String, segments: [PromptSegment], language: Language, slow: Bool)
    /// Ask the bank; answer with `backendAnswered(_:)`.
    case lookup(BackendRequest)
    /// Hand the call to an agent queue with its context.
    case transfer(queue: String, reason: String, priority: Int, context: TransferContext)
    /// End the call.
    case hangUp
    /// Store a trace event (simulator trace, call records).
    case trace(TraceEvent)
}

/// One call's media loop (DESIGN.md section 2), the same for a SIP call, the simulator and
/// the console: every 20 ms the caller's frame goes through the front end (DTMF, VAD,
/// endpointer, recogniser) into the dialog engine, the engine's actions drive the prompt
/// player and timers, and the player fills the outbound frame.
///
/// Time is the session's own frame count (20 ms a frame), so a simulated call runs as fast
/// as the CPU allows and gives the same result every time.
public struct CallSession: Sendable {
    /// The engine that walks this call through its menu (pinned for the call's lifetime).
    public let engine: DialogEngine
    /// The engine's state.
    public private(set) var state: DialogState
    /// Milliseconds since the call started.
    public private(set) var nowMs: Int64 = 0
    /// Whether the call is over for the IVR (hung up or transferred).
    public private(set) var isEnded = false

    private var frontEnd: CallFrontEnd
    private var player = PromptPlayer()
    private var recognizer: (any UtteranceRecognizer)?
    private var timers: [DialogTimerID: Int64] = [:]
    /// Prompts asked for and not yet rendered, with their order.
    private var awaitingAudio: [String] = []
    private var requests: [SessionRequest] = []
    private var latency = ResponseLatencyMeter()

    /// Starts a call: the engine greets (or asks for the caller's profile first).
    /// - Parameters:
    ///   - engine: the dialog engine with the call's menu version.
    ///   - call: caller and called numbers, call id.
    ///   - frontEnd: the audio front end (VAD, endpointer, DTMF settings).
    ///   - recognizer: the keyword spotter; without one, speech counts as no-match.
    /// - Returns: the session and its first requests.
    public static func start(engine: DialogEngine, call: CallInfo, frontEnd: CallFrontEnd = .init(),
                             recognizer: (any UtteranceRecognizer)? = nil) -> (CallSession, [SessionRequest]) {
        let (state, actions) = engine.start(call: call, atMs: 0)
        var session = CallSession(engine: engine, state: state, frontEnd: frontEnd, recognizer: recognizer)
        session.apply(actions)
        let first = session.takeRequests()  // taken before the session is copied out
        return (session, first)
    }

    private init(engine: DialogEngine, state: DialogState, frontEnd: CallFrontEnd, recognizer: (any UtteranceRecognizer)?) {
        self.engine = engine
        self.state = state
        self.frontEnd = frontEnd
        self.recognizer = recognizer
    }

    /// The prompt the caller hears now, if any.
    public var playingID: String? { player.playingID }

    /// Processes one 20 ms frame: `inbound` is the caller's audio (8 kHz, 160 samples),
    /// `outbound` receives what the caller hears. Returns what the driver must do.
    public mutating func process(inbound: UnsafeBufferPointer<Int16>,
                                 outbound: UnsafeMutableBufferPointer<Int16>) -> [SessionRequest] {
        guard !isEnded else {
            for k in 0..<outbound.count { outbound[k] = 0 }
            return []
        }
        fireDueTimers()
        var events: [FrontEndEvent] = []
        frontEnd.process(inbound) { events.append($0) }
        for event in events { handle(event) }
        var finished: [String] = []
        var started: [(playID: String, sample: Int)] = []
        player.render(into: outbound, started: { started.append(($0, $1)) }, finished: { finished.append($0) })
        for (playID, sample) in started {
            latency.promptStarted(playID: playID, atMs: nowMs + Int64(sample * 1000 / CallFrontEnd.sampleRate))
        }
        nowMs += Int64(outbound.count * 1000 / CallFrontEnd.sampleRate)
        for playID in finished { send(.promptFinished(playID: playID)) }
        return takeRequests()
    }

    /// The response latency measured since the last call, if any: milliseconds from the end
    /// of the caller's input (key, or last speech of an utterance) to the first sample of the
    /// prompt that answers it (see `ResponseLatencyMeter`). The driver sends the frame of that
    /// sample right after `process`, so this is the wait up to its first RTP packet.
    public mutating func takeResponseLatencyMs() -> Int64? { latency.take() }

    /// The rendered audio of a prompt the session asked for. Prompts play in the order asked.
    public mutating func promptAudio(playID: String, samples: [Int16]) {
        guard awaitingAudio.contains(playID) else { return }  // stopped before it was ready
        awaitingAudio.removeAll { $0 == playID }
        player.enqueue(playID: playID, samples: samples)
    }

    /// A prompt could not be rendered: it counts as played, so the call never stalls.
    public mutating func promptFailed(playID: String) -> [SessionRequest] {
        guard awaitingAudio.contains(playID) else { return [] }
        awaitingAudio.removeAll { $0 == playID }
        latency.promptStopped(playID: playID)  // never heard: it answers nothing
        send(.promptFinished(playID: playID))
        return takeRequests()
    }

    /// The bank's answer to the last `lookup` request.
    public mutating func backendAnswered(_ result: BackendResult) -> [SessionRequest] {
        send(.backendResult(result))
        return takeRequests()
    }

    /// An intent recognised outside the audio path (e.g. a test or an operator tool).
    public mutating func recognised(_ recognition: Recognition, source: InputSource) -> [SessionRequest] {
        latency.inputEnded(atMs: nowMs)
        send(.intent(name: recognition.intent, confidence: recognition.confidence, source: source, phrase: recognition.phrase))
        return takeRequests()
    }

    /// A key received out of band (RFC 4733 or SIP INFO), already de-duplicated by the caller.
    public mutating func keyPressed(_ digit: Character) -> [SessionRequest] {
        latency.inputEnded(atMs: nowMs)
        send(.dtmf(digit))
        return takeRequests()
    }

    /// The caller hung up.
    public mutating func callerHungUp() -> [SessionRequest] {
        guard !isEnded else { return [] }
        var events: [FrontEndEvent] = []
        frontEnd.finish { events.append($0) }
        for event in events { handle(event) }
        send(.callerHungUp)
        isEnded = true
        player.stopAll()
        return takeRequests()
    }

    // MARK: Internals

    private mutating func takeRequests() -> [SessionRequest] {
        // Most frames ask for nothing: return the empty literal (no allocation) rather than
        // hand out the buffer and then empty it, which copies it on write every frame.
        if requests.isEmpty { return [] }
        defer { requests = [] }
        return requests
    }

    /// Fires timers that are due, earliest first (a scan, no allocation: a call has few timers).
    private mutating func fireDueTimers() {
        while true {
            var due: (id: DialogTimerID, at: Int64)?
            for (id, at) in timers where at <= nowMs && at < (due?.at ?? .max) { due = (id, at) }
            guard let (id, _) = due else { return }
            timers[id] = nil
            send(.timerFired(id))
        }
    }

    private mutating func handle(_ event: FrontEndEvent) {
        switch event {
        case let .dtmf(digit, seconds):
            latency.inputEnded(atMs: Int64((seconds * 1000).rounded()))
            send(.dtmf(digit.rawValue))
        case .speechStarted:
            send(.speechStarted)
        case .speechEnded(let utterance):
            latency.inputEnded(atMs: Int64((utterance.speechEnd * 1000).rounded()))
            send(.speechEnded)
            let expected = engine.expectedIntents(in: state)
            if let recognizer, let found = recognizer.recognize(utterance, expected: expected, language: state.language) {
                send(.intent(name: found.intent, confidence: found.confidence, source: .speech, phrase: found.phrase))
            } else {
                send(.noMatch(loud: false))
            }
        }
    }

    private mutating func send(_ kind: DialogEvent.Kind) {
        guard !isEnded else { return }
        let (next, actions) = engine.handle(DialogEvent(atMs: nowMs, kind), in: state)
        state = next
        apply(actions)
    }

    private mutating func apply(_ actions: [DialogAction]) {
        for action in actions {
            switch action {
            case let .play(playID, segments, language, _, slow):
                awaitingAudio.append(playID)
                latency.promptRequested(playID: playID)
                requests.append(.render(playID: playID, segments: segments, language: language, slow: slow))
            case .stopPlayback(let playID):
                awaitingAudio.removeAll { $0 == playID }
                player.stop(playID: playID)
                latency.promptStopped(playID: playID)
            case let .startTimer(id, afterMs):
                timers[id] = nowMs + afterMs
            case .cancelTimer(let id):
                timers[id] = nil
            case .lookup(let request):
                requests.append(.lookup(request))
            case let .transfer(queue, reason, priority, context):
                requests.append(.transfer(queue: queue, reason: reason, priority: priority, context: context))
                end()
            case .hangUp:
                requests.append(.hangUp)
                end()
            case .record(let event):
                if case .noInput = event.detail { latency.noInput() }
                requests.append(.trace(event))
            }
        }
    }

    private mutating func end() {
        isEnded = true
        timers.removeAll()
    }
}
