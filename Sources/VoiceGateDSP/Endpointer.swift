/// One finished utterance: when speech started and ended, and the audio for the recogniser.
public struct Utterance: Sendable, Equatable {
    /// Why an utterance ended.
    public enum EndReason: Sendable, Equatable {
        /// `trailingSilenceMs` passed without speech.
        case trailingSilence
        /// The utterance reached `maximumUtteranceMs` and was cut (speech may continue).
        case maximumLength
        /// The input ended (`Endpointer.finish()`) while speech was open.
        case endOfInput
    }

    /// First speech sample, seconds from the start of the stream.
    public var speechStart: Double
    /// End of the last frame that was speech (hangover excluded), seconds from the start.
    public var speechEnd: Double
    /// Time of `audio[0]`, seconds: `speechStart` minus the pre-roll (never before 0).
    public var audioStart: Double
    /// Pre-roll, speech and up to `postRollMs` after `speechEnd`, at `sampleRate`.
    public var audio: [Int16]
    /// Samples per second of `audio`.
    public var sampleRate: Int
    /// Why it ended.
    public var endReason: EndReason

    /// An utterance with every field given.
    public init(speechStart: Double, speechEnd: Double, audioStart: Double, audio: [Int16],
                sampleRate: Int, endReason: EndReason) {
        self.speechStart = speechStart
        self.speechEnd = speechEnd
        self.audioStart = audioStart
        self.audio = audio
        self.sampleRate = sampleRate
        self.endReason = endReason
    }
}

/// What the endpointer reports for a frame.
public enum EndpointerEvent: Sendable, Equatable {
    /// Speech has lasted `minimumSpeechMs`; it began at `at` seconds (sample-accurate, dated
    /// back to the first speech frame, not to the moment of the event).
    case speechStarted(at: Double)
    /// The utterance is over; its audio includes the pre-roll.
    case speechEnded(Utterance)
}

/// Turns VAD decisions into utterances for the recogniser (FIELD.md item 4: no clipped first
/// syllable, no cut-off mid-sentence).
///
/// Feed 10 ms frames (a 20 ms RTP frame is two calls). The endpointer runs its own `EnergyVAD`
/// (`lastDecision` exposes it for barge-in) and keeps the last `preRollMs` of audio in a ring,
/// so an utterance's audio starts before the first detected syllable. All buffers are allocated
/// in `init`, sized by `maximumUtteranceMs`; the only allocation afterwards is the `[Int16]`
/// handed out with a finished utterance.
public struct Endpointer: Sendable {
    /// Endpointing settings.
    public struct Configuration: Sendable, Equatable {
        /// Silence after the last speech frame that ends an utterance. Default 700 ms: IVR
        /// answers ("uh… I lost my card") have hesitation pauses of 300–600 ms that must not end
        /// the turn, while much more than 800 ms makes the system feel slow (the response budget
        /// in DESIGN.md section 7 starts at the end of speech). Raise it for free-speech nodes.
        public var trailingSilenceMs: Int
        /// Speech shorter than this is ignored (no events): coughs, line clicks, short bursts.
        /// Default 100 ms; the shortest keywords ("no") last about 200 ms.
        public var minimumSpeechMs: Int
        /// An utterance is cut (and `.maximumLength` reported) at this length. Default 15 s.
        public var maximumUtteranceMs: Int
        /// Audio kept before the first speech frame. Default 300 ms: covers weak initial
        /// consonants that stay under the VAD threshold in noise.
        public var preRollMs: Int
        /// Audio kept after the last speech frame. Default 400 ms: in noise the VAD loses a
        /// word's weak final syllable ("no", "bill", "nope"), so the last speech frame is often
        /// 0.1 s before the word really ends; the keyword spotter needs that tail (BENCHMARKS.md,
        /// keyword spotting). It costs no latency: the utterance ends only after
        /// `trailingSilenceMs` (700 ms) of silence anyway.
        public var postRollMs: Int

        /// The documented defaults.
        public init(trailingSilenceMs: Int = 700, minimumSpeechMs: Int = 100,
                    maximumUtteranceMs: Int = 15_000, preRollMs: Int = 300, postRollMs: Int = 400) {
            self.trailingSilenceMs = trailingSilenceMs
            self.minimumSpeechMs = minimumSpeechMs
            self.maximumUtteranceMs = maximumUtteranceMs
            self.preRollMs = preRollMs
            self.postRollMs = postRollMs
        }
    }

    private enum State {
        case idle
        /// VAD onset seen; waiting for `minimumSpeechMs` of speech before announcing it.
        case pending
        case speaking
    }

    /// Samples per second.
    public let sampleRate: Int
    /// Samples per 10 ms frame.
    public let frameLength: Int
    /// The settings in use.
    public let configuration: Configuration
    /// The decision of the VAD on the last frame processed.
    public private(set) var lastDecision: VADFrameDecision?

    private var vad: EnergyVAD
    private let preRollSamples: Int
    private let postRollSamples: Int
    private let trailingSamples: Int
    private let minimumSpeechSamples: Int
    private let maximumSamples: Int

    /// Ring of the most recent input (pre-roll plus the longest onset back-dating).
    private var history: [Int16]
    private var historyWrite = 0
    /// Preallocated audio of the open utterance, starting at `audioStartSample`.
    private var buffer: [Int16]
    private var bufferCount = 0

    private var state = State.idle
    private var samplesSeen = 0
    private var speechStartSample = 0
    private var audioStartSample = 0
    private var lastActiveEndSample = 0
    private var continueAfterCut = false

    /// An endpointer for `sampleRate` (8000 or 16000 Hz).
    public init(sampleRate: Int, configuration: Configuration = .init(),
                vadConfiguration: EnergyVAD.Configuration = .init()) {
        vad = EnergyVAD(sampleRate: sampleRate, configuration: vadConfiguration)
        self.sampleRate = sampleRate
        self.frameLength = vad.frameLength
        self.configuration = configuration
        func samples(_ ms: Int) -> Int { max(0, ms) * sampleRate / 1000 }
        preRollSamples = samples(configuration.preRollMs)
        postRollSamples = samples(configuration.postRollMs)
        trailingSamples = samples(configuration.trailingSilenceMs)
        minimumSpeechSamples = samples(configuration.minimumSpeechMs)
        maximumSamples = max(samples(configuration.maximumUtteranceMs), frameLength)
        let backdateFrames = max(vadConfiguration.onsetMs, vadConfiguration.maximumBackdateMs) / EnergyVAD.frameMs
        let onsetSamples = (backdateFrames + 2) * frameLength
        history = [Int16](repeating: 0, count: preRollSamples + onsetSamples)
        buffer = [Int16](repeating: 0, count: preRollSamples + onsetSamples + maximumSamples + frameLength)
    }

    /// Forgets the call (VAD calibration, history, open utterance); buffers are kept.
    public mutating func reset() {
        vad.reset()
        lastDecision = nil
        historyWrite = 0
        bufferCount = 0
        state = .idle
        samplesSeen = 0
        continueAfterCut = false
    }

    /// Whether an utterance is open (announced or waiting for `minimumSpeechMs`).
    public var isInUtterance: Bool { state != .idle }

    /// Processes one 10 ms frame (`frameLength` samples). Allocates only when it returns
    /// `.speechEnded` (the utterance's audio).
    public mutating func process(frame: UnsafeBufferPointer<Int16>) -> EndpointerEvent? {
        let decision = vad.process(frame)
        lastDecision = decision
        remember(frame)
        let frameStart = samplesSeen
        samplesSeen += frame.count
        let now = samplesSeen

        if state == .idle {
            let startsAgain = continueAfterCut && decision.isSpeech
            continueAfterCut = continueAfterCut && decision.isSpeech
            guard decision.isOnset || startsAgain else { return nil }
            continueAfterCut = false
            speechStartSample = max(0, frameStart - decision.onsetBackdateFrames * frameLength)
            audioStartSample = max(0, speechStartSample - preRollSamples, now - history.count)
            copyHistory(from: audioStartSample, to: now)
            lastActiveEndSample = now
            state = .pending
        } else {
            append(frame)
            if decision.isSpeech && decision.isActive { lastActiveEndSample = now }
        }

        if state == .pending {
            if lastActiveEndSample - speechStartSample >= minimumSpeechSamples {
                state = .speaking
                return .speechStarted(at: seconds(speechStartSample))
            }
            if !decision.isSpeech {
                state = .idle
                bufferCount = 0
            }
            return nil
        }
        // speaking
        if now - speechStartSample >= maximumSamples {
            continueAfterCut = true
            return .speechEnded(finishUtterance(end: now, reason: .maximumLength))
        }
        if !decision.isSpeech && now - lastActiveEndSample >= trailingSamples {
            return .speechEnded(finishUtterance(end: lastActiveEndSample, reason: .trailingSilence))
        }
        return nil
    }

    /// Ends the input: an announced utterance still open is returned with `.endOfInput`.
    public mutating func finish() -> [EndpointerEvent] {
        defer { state = .idle; bufferCount = 0 }
        guard state == .speaking else { return [] }
        return [.speechEnded(finishUtterance(end: lastActiveEndSample, reason: .endOfInput))]
    }

    /// Every event of `samples`, walked in 10 ms frames (a trailing partial frame is ignored);
    /// offline convenience, call `finish()` afterwards for an utterance still open.
    public mutating func process(samples: [Int16]) -> [EndpointerEvent] {
        var events: [EndpointerEvent] = []
        let count = samples.count / frameLength
        samples.withUnsafeBufferPointer { all in
            for k in 0..<count {
                let frame = UnsafeBufferPointer(rebasing: all[k * frameLength..<(k + 1) * frameLength])
                if let e = process(frame: frame) { events.append(e) }
            }
        }
        return events
    }

    // MARK: Buffers

    private func seconds(_ sample: Int) -> Double { Double(sample) / Double(sampleRate) }

    private mutating func finishUtterance(end: Int, reason: Utterance.EndReason) -> Utterance {
        let audioEnd = min(samplesSeen, end + (reason == .trailingSilence ? postRollSamples : 0))
        let count = max(0, min(bufferCount, audioEnd - audioStartSample))
        let audio = Array(buffer[0..<count])
        state = .idle
        bufferCount = 0
        return Utterance(speechStart: seconds(speechStartSample), speechEnd: seconds(end),
                         audioStart: seconds(audioStartSample), audio: audio,
                         sampleRate: sampleRate, endReason: reason)
    }

    private mutating func remember(_ frame: UnsafeBufferPointer<Int16>) {
        let capacity = history.count
        guard capacity > 0 else { return }
        history.withUnsafeMutableBufferPointer { ring in
            for s in frame {
                ring[historyWrite] = s
                historyWrite += 1
                if historyWrite == capacity { historyWrite = 0 }
            }
        }
    }

    /// Copies history samples `[from, to)` (absolute indices; `to` is the newest) into the
    /// utterance buffer.
    private mutating func copyHistory(from: Int, to: Int) {
        let count = to - from
        let capacity = history.count
        bufferCount = 0
        guard count > 0 else { return }
        var read = (historyWrite - count + capacity * 2) % capacity
        history.withUnsafeBufferPointer { ring in
            buffer.withUnsafeMutableBufferPointer { out in
                for k in 0..<count {
                    out[k] = ring[read]
                    read += 1
                    if read == capacity { read = 0 }
                }
            }
        }
        bufferCount = count
    }

    private mutating func append(_ frame: UnsafeBufferPointer<Int16>) {
        let room = buffer.count - bufferCount
        let n = min(room, frame.count)
        guard n > 0 else { return }
        buffer.withUnsafeMutableBufferPointer { out in
            for k in 0..<n { out[bufferCount + k] = frame[k] }
        }
        bufferCount += n
    }
}
