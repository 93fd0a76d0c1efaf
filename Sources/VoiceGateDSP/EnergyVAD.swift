/// What the VAD decided about one 10 ms frame.
public struct VADFrameDecision: Sendable, Equatable {
    /// The frame belongs to speech (confirmed onset, or within the hangover after speech).
    public var isSpeech: Bool
    /// True only on the frame that confirmed a new speech onset (use it for energy barge-in).
    public var isOnset: Bool
    /// On an onset frame, how many frames before this one the speech began: the confirming run
    /// plus the rising frames before it (see `EnergyVAD.Configuration.riseDB`); those frames
    /// are speech too. 0 on every other frame.
    public var onsetBackdateFrames: Int
    /// Frame energy, dBFS (mean square re full scale; −100 for digital silence).
    public var energyDBFS: Float
    /// The noise floor the frame was judged against, dBFS.
    public var noiseFloorDBFS: Float
    /// The energy a frame had to exceed to start speech, dBFS.
    public var thresholdDBFS: Float
    /// The frame itself is loud enough to be speech (above the onset threshold outside speech,
    /// above the hysteresis threshold inside); false for hangover frames.
    public var isActive: Bool

    /// A decision with every field given.
    public init(isSpeech: Bool, isOnset: Bool, onsetBackdateFrames: Int, energyDBFS: Float,
                noiseFloorDBFS: Float, thresholdDBFS: Float, isActive: Bool) {
        self.isActive = isActive
        self.isSpeech = isSpeech
        self.isOnset = isOnset
        self.onsetBackdateFrames = onsetBackdateFrames
        self.energyDBFS = energyDBFS
        self.noiseFloorDBFS = noiseFloorDBFS
        self.thresholdDBFS = thresholdDBFS
    }
}

/// Energy voice activity detector with a per-call noise floor, for 8 and 16 kHz telephone audio.
///
/// Every 10 ms frame's energy (dBFS) is compared with a threshold that sits a documented number
/// of decibels above the call's own noise floor — never a raw sample value (FIELD.md item 5):
///
///     threshold = noiseFloor + sensitivityDB + variabilityFactor · noiseDeviation
///
/// - The noise floor calibrates on the first `calibrationMs` of the call (running mean of frame
///   energy in dB), then tracks the frames that are not speech with an exponential average, and
///   a minimum-statistics guard raises it when even the quietest frame of the last
///   `noiseWindowMs` lies above it (the background got louder; otherwise the detector would stay
///   in speech for ever).
/// - `noiseDeviation` is the mean absolute deviation of non-speech frame energy around the floor:
///   steady white or pink noise has ≈ 0.7 dB, babble several dB, so fluctuating backgrounds get a
///   proportionally higher threshold and do not trigger on their own peaks.
/// - Onset confirmation: `onsetMs` of consecutive frames above threshold before speech starts, so
///   a click (≤ 10 ms touches at most two frames) is never speech. The confirming frames are
///   reported as speech through `VADFrameDecision.onsetBackdateFrames`.
/// - Hangover and hysteresis: once in speech, frames only need `threshold − hysteresisDB`, and
///   speech ends after `hangoverMs` of frames below that, so short pauses do not split speech.
///
/// Cost: one SIMD sum of squares and one polynomial logarithm per frame; no allocation.
public struct EnergyVAD: Sendable {
    /// Tuning of the detector; every level is in dB relative to the measured noise floor.
    public struct Configuration: Sendable, Equatable {
        /// dB above the noise floor a frame must exceed to count toward a speech onset.
        /// Default 3 dB (with `variabilityFactor` this is ≈ 4.5 dB over steady noise).
        public var sensitivityDB: Float
        /// Extra dB of threshold per dB of the noise's mean absolute deviation. Default 2.
        public var variabilityFactor: Float
        /// Once in speech, frames stay speech down to `threshold − hysteresisDB`. Default 2 dB.
        public var hysteresisDB: Float
        /// Consecutive above-threshold time that confirms an onset. Default 30 ms (3 frames):
        /// rejects clicks, costs 20 ms of barge-in latency.
        public var onsetMs: Int
        /// Below-threshold time that ends speech. Default 250 ms: bridges the pauses between
        /// words and the weak consonants that sink under the noise at 5–10 dB SNR (the corpus
        /// labels merge gaps < 150 ms; 150–300 ms were measured, 250 was best on seed 1001).
        public var hangoverMs: Int
        /// Length of the initial calibration, during which the floor is the running mean of the
        /// frame energies. Default 100 ms.
        public var calibrationMs: Int
        /// Time constant of the noise floor tracking on non-speech frames. Default 200 ms.
        public var noiseTrackingMs: Int
        /// Window of the minimum-statistics guard that lifts a floor left below a louder
        /// background. Default 1500 ms: longer than a run of speech without any pause, short
        /// enough that a step up of the background only causes a brief false alarm.
        public var noiseWindowMs: Int
        /// Frames just before a confirmed onset that are at least this many dB above the floor
        /// (a contiguous run, at most `maximumBackdateMs`) are dated into the speech: the
        /// quiet start of a word is speech even if it was too weak to confirm. Default 0.5 dB.
        public var riseDB: Float
        /// Assumed rise of a word's start hidden under the noise, dB per ms: an onset whose
        /// confirming run peaks `p` dB above the floor is dated back by
        /// `(tailRangeDB − sensitivityDB − p) / onsetRiseDBPerMs`. Default 0.5.
        public var onsetRiseDBPerMs: Float
        /// Longest stretch an onset is dated back. Default 100 ms.
        public var maximumBackdateMs: Int
        /// Depth below a word's peak that still counts as speech when dating the end of a
        /// segment (`segments(of:)`). Default 40 dB (the convention of the corpus labels).
        public var tailRangeDB: Float
        /// Assumed decay of a word's end hidden under the noise, dB per ms. Default 0.15.
        public var tailDecayDBPerMs: Float
        /// Longest tail added to a segment's end. Default 300 ms.
        public var maximumTailMs: Int
        /// The floor never goes below this (digital silence would make any dither "speech").
        /// Default −60 dBFS: the quietest speech tails worth keeping on a telephone line (the
        /// corpus labels use the same absolute floor).
        public var minimumNoiseFloorDBFS: Float

        /// The documented defaults (tuned on corpus seed 1001, reported on 1002: eval/VAD.md).
        public init(sensitivityDB: Float = 3, variabilityFactor: Float = 2, hysteresisDB: Float = 2,
                    onsetMs: Int = 30, hangoverMs: Int = 250, calibrationMs: Int = 100,
                    noiseTrackingMs: Int = 200, noiseWindowMs: Int = 1500,
                    riseDB: Float = 0.5, onsetRiseDBPerMs: Float = 0.5, maximumBackdateMs: Int = 100,
                    tailRangeDB: Float = 40, tailDecayDBPerMs: Float = 0.15, maximumTailMs: Int = 300,
                    minimumNoiseFloorDBFS: Float = -60) {
            self.riseDB = riseDB
            self.onsetRiseDBPerMs = onsetRiseDBPerMs
            self.tailRangeDB = tailRangeDB
            self.maximumTailMs = maximumTailMs
            self.tailDecayDBPerMs = tailDecayDBPerMs
            self.maximumBackdateMs = maximumBackdateMs
            self.sensitivityDB = sensitivityDB
            self.variabilityFactor = variabilityFactor
            self.hysteresisDB = hysteresisDB
            self.onsetMs = onsetMs
            self.hangoverMs = hangoverMs
            self.calibrationMs = calibrationMs
            self.noiseTrackingMs = noiseTrackingMs
            self.noiseWindowMs = noiseWindowMs
            self.minimumNoiseFloorDBFS = minimumNoiseFloorDBFS
        }
    }

    /// Duration of one analysis frame in milliseconds.
    public static let frameMs = 10

    /// Samples per second (8000 or 16000).
    public let sampleRate: Int
    /// Samples per 10 ms frame (80 at 8 kHz, 160 at 16 kHz).
    public let frameLength: Int
    /// The configuration in use.
    public let configuration: Configuration

    // Derived frame counts and rates.
    private let onsetFrames: Int
    private let maximumBackdateFrames: Int
    private let riseDBPerFrame: Float
    private let hangoverFrames: Int
    private let calibrationFrames: Int
    private let subWindowFrames: Int
    private let trackingRate: Float
    private let deviationRate: Float

    // State.
    private var framesSeen = 0
    private var noiseFloor: Float = 0
    private var noiseDeviation: Float = 1
    private var inSpeech = false
    private var aboveRun = 0
    private var riseRun = 0
    private var runMax: Float = 0
    private var hangoverLeft = 0
    /// Minimum frame energy of the last four sub-windows (minimum statistics), dBFS.
    private var subWindowMinima = SIMD4<Float>(repeating: .infinity)
    private var currentSubWindowMin: Float = .infinity
    private var subWindowCount = 0

    /// A detector for `sampleRate` (8000 or 16000 Hz) with `configuration`.
    public init(sampleRate: Int, configuration: Configuration = .init()) {
        precondition(sampleRate == 8000 || sampleRate == 16000, "EnergyVAD works at 8 or 16 kHz")
        self.sampleRate = sampleRate
        self.frameLength = sampleRate / 100
        self.configuration = configuration
        func frames(_ ms: Int) -> Int { max(1, (ms + Self.frameMs / 2) / Self.frameMs) }
        onsetFrames = frames(configuration.onsetMs)
        riseDBPerFrame = max(0.01, configuration.onsetRiseDBPerMs * Float(Self.frameMs))
        maximumBackdateFrames = max(onsetFrames - 1, configuration.maximumBackdateMs / Self.frameMs)
        hangoverFrames = max(0, (configuration.hangoverMs + Self.frameMs / 2) / Self.frameMs)
        calibrationFrames = frames(configuration.calibrationMs)
        subWindowFrames = max(1, frames(configuration.noiseWindowMs) / 4)
        trackingRate = min(1, Float(Self.frameMs) / Float(max(1, configuration.noiseTrackingMs)))
        deviationRate = trackingRate / 2
    }

    /// Forgets the call: the next frame starts a new calibration.
    public mutating func reset() {
        framesSeen = 0
        noiseFloor = 0
        noiseDeviation = 1
        inSpeech = false
        aboveRun = 0
        riseRun = 0
        hangoverLeft = 0
        subWindowMinima = SIMD4<Float>(repeating: .infinity)
        currentSubWindowMin = .infinity
        subWindowCount = 0
    }

    /// The current noise floor estimate, dBFS.
    public var noiseFloorDBFS: Float { max(noiseFloor, configuration.minimumNoiseFloorDBFS) }

    /// Whether the detector is currently inside speech (including hangover).
    public var isInSpeech: Bool { inSpeech }

    /// Decides one 10 ms frame of exactly `frameLength` samples. Allocates nothing.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>) -> VADFrameDecision {
        precondition(frame.count == frameLength, "EnergyVAD takes 10 ms frames (\(frameLength) samples)")
        let energy = Decibels.fromPower(Decibels.meanSquare(frame))
        framesSeen += 1

        if framesSeen <= calibrationFrames {
            // Running mean: the call's first frames are taken as background.
            let n = Float(framesSeen)
            if framesSeen == 1 {
                noiseFloor = energy
                noiseDeviation = 1
            } else {
                let dev = abs(energy - noiseFloor)
                noiseFloor += (energy - noiseFloor) / n
                noiseDeviation += (dev - noiseDeviation) / n
            }
        }
        updateMinimumStatistics(energy)

        let floor = noiseFloorDBFS
        let threshold = floor + configuration.sensitivityDB + configuration.variabilityFactor * noiseDeviation
        var isOnset = false
        var backdate = 0
        var active = energy > threshold
        if inSpeech {
            active = energy > threshold - configuration.hysteresisDB
            if active {
                hangoverLeft = hangoverFrames
            } else if hangoverLeft > 0 {
                hangoverLeft -= 1
            } else {
                inSpeech = false
            }
            if !inSpeech { aboveRun = 0 }
        } else if framesSeen > calibrationFrames || energy > threshold {
            riseRun = energy > floor + configuration.riseDB ? riseRun + 1 : 0
            if energy > threshold {
                runMax = aboveRun == 0 ? energy : max(runMax, energy)
                aboveRun += 1
                if aboveRun >= onsetFrames {
                    inSpeech = true
                    isOnset = true
                    // A word's start hidden under the noise: the quieter the confirming run
                    // is relative to the floor, the longer its real rise was.
                    let hidden = configuration.tailRangeDB - configuration.sensitivityDB - (runMax - floor)
                    let lead = hidden > 0 ? Int(hidden / riseDBPerFrame) : 0
                    backdate = min(max(aboveRun - 1 + lead, riseRun - 1), maximumBackdateFrames)
                    riseRun = 0
                    hangoverLeft = hangoverFrames
                }
            } else {
                aboveRun = 0
                if framesSeen > calibrationFrames { track(energy) }
            }
        }
        return VADFrameDecision(isSpeech: inSpeech, isOnset: isOnset, onsetBackdateFrames: backdate,
                                energyDBFS: energy, noiseFloorDBFS: floor, thresholdDBFS: threshold, isActive: active)
    }

    /// Exponential tracking of the floor and its deviation on a frame judged to be background.
    private mutating func track(_ energy: Float) {
        let dev = abs(energy - noiseFloor)
        noiseFloor += trackingRate * (energy - noiseFloor)
        noiseDeviation += deviationRate * (min(dev, 12) - noiseDeviation)
    }

    /// Keeps the minimum energy of the last four sub-windows; if even that minimum is above the
    /// floor, the background has become louder: lift the floor to it (bias-corrected).
    private mutating func updateMinimumStatistics(_ energy: Float) {
        currentSubWindowMin = min(currentSubWindowMin, energy)
        subWindowCount += 1
        guard subWindowCount >= subWindowFrames else { return }
        subWindowMinima = SIMD4(subWindowMinima[1], subWindowMinima[2], subWindowMinima[3], currentSubWindowMin)
        currentSubWindowMin = .infinity
        subWindowCount = 0
        let windowMin = subWindowMinima.min()
        if windowMin.isFinite && windowMin > noiseFloor && framesSeen > calibrationFrames {
            // The minimum of a window sits below the background's mean by about three mean
            // absolute deviations (≈ 2 dB for steady noise); without that correction the floor
            // would stay low enough for the background itself to hold speech open.
            noiseFloor = windowMin + 3 * noiseDeviation
        }
    }
}

extension EnergyVAD {
    /// Decides every whole 10 ms frame of `samples` (a trailing partial frame is ignored).
    /// Convenience for offline use; allocates the result array.
    public mutating func process(samples: [Int16]) -> [VADFrameDecision] {
        let count = samples.count / frameLength
        var out: [VADFrameDecision] = []
        out.reserveCapacity(count)
        samples.withUnsafeBufferPointer { all in
            for k in 0..<count {
                let frame = UnsafeBufferPointer(rebasing: all[k * frameLength..<(k + 1) * frameLength])
                out.append(process(frame))
            }
        }
        return out
    }

    /// Speech segments of `decisions` as half-open frame ranges.
    ///
    /// Each starts at its onset dated back (`onsetBackdateFrames`) and ends after its last
    /// active frame plus a tail for the part of the word's decay hidden under the noise: the
    /// last word's peak is `p` dB above the floor, the decay is followed down to
    /// `tailRangeDB` below that peak at `tailDecayDBPerMs`, so a loud word in quiet noise gets
    /// no tail and a word barely above the noise gets up to `maximumTailMs`. The hangover itself
    /// bridges pauses inside a segment but is not counted after the speech.
    public func segments(of decisions: [VADFrameDecision]) -> [(start: Int, end: Int)] {
        var out: [(start: Int, end: Int)] = []
        var start: Int?
        var lastActive = 0
        var recentPeak: Float = -200  // energy above floor of the latest active stretch
        var sinceActive = 0
        let maximumTailFrames = configuration.maximumTailMs / Self.frameMs
        let decayPerFrame = max(0.01, configuration.tailDecayDBPerMs * Float(Self.frameMs))
        func close(_ s: Int, limit: Int) {
            let hidden = configuration.tailRangeDB - configuration.sensitivityDB - recentPeak
            let tail = hidden > 0 ? min(maximumTailFrames, Int((hidden / decayPerFrame).rounded())) : 0
            out.append((s, min(limit, lastActive + 1 + tail)))
        }
        for (i, d) in decisions.enumerated() {
            if d.isSpeech {
                if start == nil {
                    start = max(0, i - d.onsetBackdateFrames)
                    recentPeak = -200
                }
                if d.isActive {
                    if sinceActive > 5 { recentPeak = -200 }  // a new word after a pause
                    recentPeak = max(recentPeak, d.energyDBFS - d.noiseFloorDBFS)
                    lastActive = i
                    sinceActive = 0
                } else {
                    sinceActive += 1
                }
            } else if let s = start {
                close(s, limit: i)
                start = nil
            }
        }
        if let s = start { close(s, limit: decisions.count) }
        return out
    }
}
