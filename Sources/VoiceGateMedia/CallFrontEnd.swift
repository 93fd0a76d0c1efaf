public import VoiceGateDSP

/// What the caller's audio produced, in the order it happened.
public enum FrontEndEvent: Sendable, Equatable {
    /// Speech began (VAD onset confirmed by the endpointer), at `seconds` since the call began.
    case speechStarted(seconds: Double)
    /// An utterance ended; its audio includes the endpointer's pre-roll, for the recogniser.
    case speechEnded(Utterance)
    /// A DTMF key was confirmed (the moment that may barge a prompt).
    case dtmf(DTMFDigit, seconds: Double)
}

/// The per-call audio front end of DESIGN.md section 2: 20 ms frames of 8 kHz PCM go to the
/// in-band DTMF detector and to the energy VAD + endpointer.
///
/// A DTMF tone is loud and stationary, so the VAD sees it as "speech"; an utterance that
/// overlaps a key press is a key press, not speech, and is not reported (otherwise every
/// typed digit would also count as a no-match). No allocation per frame except when an
/// utterance is handed out.
public struct CallFrontEnd: Sendable {
    /// The front end's sample rate.
    public static let sampleRate = 8000
    /// Samples in one 20 ms frame.
    public static let frameSamples = 160
    /// How long after a key's tones stop an utterance still counts as that key (tone tails,
    /// VAD hangover).
    static let dtmfGuardSamples: Int64 = 1200  // 150 ms

    private var endpointer: Endpointer
    private var detector: DTMFDetector
    private var samplesSeen: Int64 = 0
    /// Sample at which the last key's tones ended, or `Int64.max` while a key is down.
    private var lastKeyEnd: Int64 = Int64.min / 2
    /// First sample of the last key.
    private var lastKeyStart: Int64 = Int64.min / 2
    /// Whether the utterance in progress was announced to the caller of `process`.
    private var announced = false

    /// A front end with the given endpointer and DTMF settings (defaults documented there).
    public init(endpointer: Endpointer.Configuration = .init(), dtmf: DTMFDetector.Configuration = .init()) {
        self.endpointer = Endpointer(sampleRate: Self.sampleRate, configuration: endpointer)
        self.detector = DTMFDetector(sampleRate: Self.sampleRate, configuration: dtmf)
    }

    /// Seconds of audio processed so far.
    public var seconds: Double { Double(samplesSeen) / Double(Self.sampleRate) }

    /// Whether the caller is speaking now (an utterance has been announced and not ended).
    public var isInSpeech: Bool { announced }

    /// Processes one frame (any multiple of 80 samples; 160 for 20 ms) and reports events.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>, onEvent: (FrontEndEvent) -> Void) {
        // Key state is gathered in locals: the detector is part of `self` while it calls back.
        var keyStart = lastKeyStart, keyEnd = lastKeyEnd
        detector.process(frame) { event in
            switch event.kind {
            case .began:
                keyStart = event.startSample
                keyEnd = Int64.max
                onEvent(.dtmf(event.digit, seconds: event.start))
            case .ended:
                keyEnd = event.endSample ?? event.startSample
            }
        }
        lastKeyStart = keyStart
        lastKeyEnd = keyEnd
        let half = endpointer.frameLength
        var offset = 0
        while offset + half <= frame.count {
            let sub = UnsafeBufferPointer(rebasing: frame[offset..<offset + half])
            if let event = endpointer.process(frame: sub) { handle(event, onEvent: onEvent) }
            offset += half
        }
        samplesSeen += Int64(frame.count)
    }

    /// Ends the input (hang-up): reports an utterance still open.
    public mutating func finish(onEvent: (FrontEndEvent) -> Void) {
        for event in endpointer.finish() { handle(event, onEvent: onEvent) }
    }

    private func keyOverlaps(from start: Double, to end: Double) -> Bool {
        let s = Int64(start * Double(Self.sampleRate)), e = Int64(end * Double(Self.sampleRate))
        let keyEnd = lastKeyEnd == Int64.max ? Int64.max : lastKeyEnd + Self.dtmfGuardSamples  // max: key still down
        return lastKeyStart <= e + Self.dtmfGuardSamples && keyEnd >= s
    }

    private mutating func handle(_ event: EndpointerEvent, onEvent: (FrontEndEvent) -> Void) {
        switch event {
        case .speechStarted(let at):
            guard !keyOverlaps(from: at, to: seconds) else { return }
            announced = true
            onEvent(.speechStarted(seconds: at))
        case .speechEnded(let utterance):
            defer { announced = false }
            guard announced, !keyOverlaps(from: utterance.speechStart, to: utterance.speechEnd) else { return }
            onEvent(.speechEnded(utterance))
        }
    }
}
