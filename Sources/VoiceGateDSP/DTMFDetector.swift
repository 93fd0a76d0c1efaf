/// In-band DTMF receiver after ITU-T Q.24 for 8 kHz telephone audio.
///
/// **Analysis.** The stream is cut into 10 ms half-blocks (80 samples). For each half-block the
/// eight Goertzel filters run in one pass as one `SIMD8<Float>` recurrence and give a complex
/// value per DTMF frequency. Each decision looks at a 20 ms window made of the last two
/// half-blocks, so decisions come every 10 ms with 50% overlap:
/// - the two halves combine coherently into a 160-point DFT value (bins 50 Hz apart at the
///   first null, enough to separate 697 from 770 Hz by > 13 dB) for the relative-peak checks;
/// - the phase turn of each tone from one half to the next measures its frequency offset
///   (± 50 Hz unambiguous), which is how ±1.5% is accepted and ±3.5% rejected — a 160-point
///   magnitude alone cannot tell 24 Hz apart;
/// - the halves must carry the same tone energy (stationarity), which speech rarely does.
/// Why not spandsp's 102-sample blocks: 10 ms blocks line up with 20 ms RTP frames, give
/// timestamps on a 10 ms grid, and two overlapping 20 ms windows need only 30 ms of tone, so
/// 40 ms tones are always confirmed while 20 ms tones never are.
///
/// **Checks per window** (cheap ones first, second harmonics only for a surviving candidate):
/// each tone above `minimumToneLevel`; twist within limits; the strongest row and column beat
/// the others in their group by `relativePeak`; the two tones hold at least
/// `minimumToneToTotalRatio` of the window's power; frequency offset within
/// `maximumFrequencyDeviation`; halves within `maximumHalfBlockChange`; energy at twice each
/// tone frequency below `maximumSecondHarmonic` relative to the tone.
///
/// **In noise.** The detector tracks the background: the minimum 10 ms energy, rising at most
/// `noiseFloorRise` dB/s. Noise dilutes and scatters a real digit, so some checks allow for it:
/// - tone-to-total may drop to `minimumToneToTotalRatioInNoise` when the rest of the window's power
///   is at most `noiseAllowance` times the background (speech dilutes its two strongest harmonics
///   with its own other harmonics, far above the background in quiet);
/// - stationarity (20 ms) and second harmonics compare a weak tone with something that noise
///   shifts, so they allow a few times the background energy a DFT bin gets from white noise
///   (`stationarityNoiseAllowance`, `harmonicNoiseAllowance`): at 5 dB SNR and −8 dB twist the
///   weak tone is only 14-17 dB above the noise in its own bin. The harmonic allowance applies only
///   in windows that pass the plain tone-to-total ratio, so speech in heavy noise (which passes only
///   through the in-noise ratio) keeps the full harmonic test, and only where the window holds at
///   least the background's power besides its two tones: music that starts with the stream makes
///   the tracked "floor" the signal itself, which is no noise to allow for.
/// - A window that passes only through a noise relaxation of the tone-to-total test needs its stronger
///   tone at `minimumStrongToneLevelInNoise` (Q.24 asks for −26 dBm0 per tone): weaker steady pairs
///   that noise "explains" are what babble produces.
/// In quiet the background is near zero and every limit is the plain one.
///
/// **Confirmation over 30 ms.** In noise each 20 ms window passes all checks only most of the time,
/// and two in a row is what a 40 ms tone cannot always give. So a digit also begins when one 20 ms
/// window passes and the 30 ms window of the last three halves, which contains it, passes the same
/// checks with its three halves combined coherently (240-point DFT value: neighbouring rows fall
/// near a null, and 1.8 dB more tone-to-noise per bin), all three halves within
/// `maximumThreeHalfChange`, and both phase turns within `maximumThreeHalfFrequencyDeviation`.
/// Speech rarely keeps two harmonics on DTMF frequencies, stationary, for 30 ms. So the 30 ms window
/// has its own, slightly looser relative-peak and tone-to-total limits (`threeHalfRelativePeak`,
/// `minimumThreeHalfToneToTotalRatio`): babble at 5 dB SNR crowds the row band (700-950 Hz) enough
/// to fail the 20 ms limits in most windows of a 40-50 ms digit.
/// Windows that pass the tone-to-total test only through its in-noise relaxation are what noisy
/// speech and babble produce; a run of two such windows does not begin a digit by itself, only
/// together with this 30 ms confirmation.
///
/// **Two 30 ms windows in a row.** Babble at 5 dB SNR can fail every 20 ms window of a 40-50 ms
/// digit. So, while no digit is active, the 30 ms window is checked every 10 ms, and two consecutive
/// 30 ms windows with the same digit (four half-blocks, 40 ms of tone) begin it without any 20 ms
/// pass. For this pair each window may hold as little as `minimumPairToneToTotalRatio` of its power
/// in the two tones, provided the rest is at most `pairNoiseAllowance` times the background (and the
/// stronger tone reaches `minimumStrongToneLevelInNoise`); every other 30 ms check still applies to
/// both windows. Clean speech keeps 0.55-0.6 of a window in a harmonic pair now and then, but its
/// background is digital silence; speech in noise reaches about 0.5 for up to 60 ms.
///
/// **Timing.** A digit begins after `minimumOnWindows` consecutive windows agree (or the 30 ms
/// confirmation above). It ends after `minimumOffWindows` windows without it once its tones have
/// really gone — `minimumSilentHalves` half-blocks `silentHalfLevel` below the digit's level, or
/// another digit detected — and otherwise only after `maximumOffWindows`. So a 2 s key press is
/// one digit, a 10 ms drop-out does not split it even when noise makes the windows around it fail
/// too, and the same key pressed again after a ≥ 30 ms gap is a second digit.
///
/// Only 8 kHz is supported: callers with 16 kHz audio resample first. Processing allocates
/// nothing; results do not depend on how the stream is cut into buffers.
public struct DTMFDetector: Sendable {
    /// Thresholds; the defaults are tuned on corpus seed 1001 and the tuning draws 2001-2010 (see
    /// eval/dtmf_eval.py and BENCHMARKS.md).
    public struct Configuration: Sendable, Equatable {
        /// Minimum level of each tone, dBm0 (Q.24 asks for −26 dBm0 to be detected).
        public var minimumToneLevel: Double = -36
        /// Largest accepted level of the high tone above the low tone, dB (Q.24: +4 must pass).
        public var maximumForwardTwist: Double = 6
        /// Largest accepted level of the low tone above the high tone, dB (Q.24: 8 must pass).
        public var maximumReverseTwist: Double = 11
        /// Largest accepted relative frequency offset of each tone (Q.24: 1.5% pass, 3.5% fail).
        public var maximumFrequencyDeviation: Double = 0.025
        /// The strongest row (column) must beat every other row (column) by this much, dB. In a
        /// 20 ms window 697 Hz already leaks −13 dB into the 770 Hz bin, so noise there leaves
        /// little margin: 7 rather than 8 dB gains noisy digits and, with the in-noise run rule
        /// (see the type's doc comment), no talk-off on the tuning corpora.
        public var relativePeak: Double = 7
        /// The two tones must hold at least this fraction of the window's power (clean speech
        /// reaches about 0.6 in its most tone-like windows).
        public var minimumToneToTotalRatio: Double = 0.7
        /// In noise the ratio may drop to this, provided the rest of the power is no more than
        /// `noiseAllowance` times the tracked background noise: noise is what dilutes a real
        /// digit, while speech dilutes its two strongest harmonics with its own other harmonics.
        public var minimumToneToTotalRatioInNoise: Double = 0.4
        /// How much of the window's non-tone power may be background noise (× the noise floor).
        public var noiseAllowance: Double = 3.0
        /// How fast the noise floor (a minimum tracker over 10 ms energies) may rise, dB/s of power.
        public var noiseFloorRise: Double = 3
        /// Largest accepted energy at twice the column frequency relative to that tone, dB.
        public var maximumSecondHarmonic: Double = -12
        /// The same for the row tone. Looser because twice a row frequency (1394…1882 Hz) lies
        /// 60-95 Hz from a column frequency, whose window side lobe alone reaches −15 dB there.
        public var maximumRowSecondHarmonic: Double = -6
        /// Largest accepted change of a tone's energy between the two 10 ms halves, dB.
        public var maximumHalfBlockChange: Double = 6
        /// Noise allowance of the 20 ms window's stationarity check (`maximumHalfBlockChange`), in
        /// multiples of the tracked background energy per half-block (the Goertzel power one 10 ms
        /// bin gets from white noise): the weaker half of a tone is compared as if it had this much
        /// noise energy added. At 5 dB SNR and −8 dB twist a weak tone is only ~14 dB above the
        /// noise in a 10 ms bin, and its two half-block energies scatter by more than 6 dB often
        /// enough to drop 40 ms digits. In quiet (clean speech, the talk-off case) the floor is near
        /// zero and the limit is unchanged. 3-4 gain the same digits on the tuning draws, 2 fewer;
        /// the same allowance on the 30 ms window (`maximumThreeHalfChange`) gained two more digits
        /// but let speech in 0 dB pink noise through once, so that window keeps its plain limit.
        public var stationarityNoiseAllowance: Double = 3
        /// Consecutive agreeing 20 ms windows (10 ms apart) needed to confirm a digit.
        public var minimumOnWindows: Int = 2
        /// Largest accepted change of a tone's energy across the three 10 ms halves of the 30 ms
        /// confirmation window, dB. Tighter than `maximumHalfBlockChange` because a 20 ms tone
        /// fills a 30 ms window as 50%/100%/50% halves, 6 dB apart, and must stay rejected.
        public var maximumThreeHalfChange: Double = 5
        /// Largest accepted relative frequency offset in the 30 ms confirmation window.
        public var maximumThreeHalfFrequencyDeviation: Double = 0.02
        /// `relativePeak` for the 30 ms confirmation window, dB. Its 240-point bins put the
        /// neighbouring rows near a null of the tone, so what is left there is noise, and babble
        /// around 700-950 Hz is what drops 40-50 ms digits at 5 dB SNR; one dB less gains those
        /// without talk-off on the tuning draws (the stationarity and phase checks still apply).
        public var threeHalfRelativePeak: Double = 6
        /// `minimumToneToTotalRatio` for the 30 ms confirmation window. Babble at 5 dB SNR leaves
        /// a real digit at 0.6-0.7 of a window's power; 0.6-0.65 gains those digits without
        /// talk-off on the tuning draws, 0.5 lets speech through (dozens of false digits).
        public var minimumThreeHalfToneToTotalRatio: Double = 0.65
        /// `minimumThreeHalfToneToTotalRatio` for two consecutive 30 ms windows of the same digit
        /// (40 ms of tone), which confirm it together without a 20 ms pass (see the type's doc
        /// comment), provided the rest of each window's power is at most `pairNoiseAllowance` times
        /// the tracked background. Babble at 5 dB SNR leaves a 40-50 ms digit at 0.55-0.65 in its
        /// best windows; speech in 5 dB pink noise keeps a harmonic pair at about 0.5 for 60 ms, so
        /// 0.5 gives a false digit on the tuning draws, 0.45 ten; 0.6 loses both babble digits this
        /// rule gains there.
        public var minimumPairToneToTotalRatio: Double = 0.55
        /// How much of each paired window's non-tone power may be background noise (× the noise
        /// floor, as `noiseAllowance`). Babble is well above its own 10 ms minima (a digit in
        /// 5 dB babble leaves 12-28× the floor), while clean speech, which keeps up to 0.61 of a
        /// window in a harmonic pair, sits on a floor near digital silence and never qualifies.
        /// The tuning draws give no false digit without it, but espeak-ng talk-off sentences in
        /// 20 dB white noise do (DTMFInLineNoiseTests), as did three clean sentences with an earlier
        /// prototype of the pair rule. 15 loses the two babble digits, 60-100 gain no in-spec one.
        public var pairNoiseAllowance: Double = 30
        /// Noise allowance of the second-harmonic checks, in multiples of the background energy
        /// a DFT bin at twice the tone frequency gets from white noise: that much is subtracted
        /// from the harmonic's energy before the comparison. Only in windows that pass the plain
        /// tone-to-total ratio (`minimumToneToTotalRatio`, `minimumThreeHalfToneToTotalRatio`):
        /// a −8 dB-twist column tone in 5 dB white noise is only 14-17 dB above the noise in its
        /// own bin, so plain noise at twice its frequency fails the −12 dB limit in window after
        /// window. Windows that lean on the in-noise ratio (speech in 0 dB noise) get no allowance:
        /// with it, 0.5 already let speech through there. 3-6 give the same tuning result (three
        /// 5 dB white digits more, no talk-off), 2 only one, 10 one babble digit more.
        public var harmonicNoiseAllowance: Double = 3
        /// The stronger tone must reach this level, dBm0, when a window passes only through a
        /// noise relaxation of the tone-to-total test (`minimumToneToTotalRatioInNoise`,
        /// `minimumPairToneToTotalRatio`). Q.24 asks for −26 dBm0 per tone; a 5 dB babble
        /// distractor of the tuning draws held a steady −32/−34 dBm0 pair "explained by noise"
        /// for 40 ms. −32…−29 give the same tuning result; −28 loses out-of-spec digits.
        public var minimumStrongToneLevelInNoise: Double = -31
        /// Consecutive windows without the digit that end it, provided the tone has really gone:
        /// at least `minimumSilentHalves` half-blocks since the last agreeing window fell to
        /// `silentHalfLevel`, or another digit is being detected.
        public var minimumOffWindows: Int = 3
        /// A half-block is silent for the active digit when its energy at the digit's two
        /// frequencies is this far below the digit's own level, dB. A 10 ms drop-out leaves at most
        /// one such half (straddling two halves, at least one keeps > 25% of the tone, ≥ −12 dB),
        /// a ≥ 30 ms gap at least two.
        public var silentHalfLevel: Double = -12
        /// Silent half-blocks needed to end a digit after `minimumOffWindows` misses.
        public var minimumSilentHalves: Int = 2
        /// Consecutive windows without the digit that end it even though its tones never fell
        /// silent (noise masking the tone for this long, or the tone changing level or frequency).
        /// Without this split, a tone briefly lost in noise comes back as a second digit.
        public var maximumOffWindows: Int = 6

        /// The defaults.
        public init() {}
    }

    /// The settings in use.
    public let configuration: Configuration
    /// Samples per second; only 8000 is supported.
    public let sampleRate: Int

    // Derived constants (per lane: rows 697…941 then columns 1209…1633).
    private static let halfBlock = 80
    private let coefficient: SIMD8<Float>      // 2cos ω
    private let cosW: SIMD8<Float>
    private let sinW: SIMD8<Float>
    private let rotRe: SIMD8<Float>            // e^{-jωN}, N = half-block
    private let rotIm: SIMD8<Float>
    private let phaseLimitCos: SIMD8<Float>    // cos of the largest accepted phase turn per half-block
    private let harmonicCoefficient: SIMD8<Float>  // 2cos 2ω
    private let minTonePower: Float
    private let minStrongPowerInNoise: Float
    private let harmonicNoise: Float
    private let forwardTwist: Float
    private let reverseTwist: Float
    private let relativePeakRatio: Float
    private let threeHalfRelativePeakRatio: Float
    private let threeHalfToneToTotal: Float
    private let pairToneToTotal: Float
    private let pairNoiseAllowance: Float
    private let toneToTotal: Float
    private let secondHarmonicRatio: Float
    private let toneToTotalInNoise: Float
    private let noiseAllowance: Float
    private let floorRise: Float
    private let rowSecondHarmonicRatio: Float
    private let halfChangeRatio: Float
    private let threeHalfChangeRatio: Float
    private let stationarityNoise: Float
    private let threeHalfPhaseLimitCos: SIMD8<Float>
    private let silentRatio: Float

    // Streaming state.
    private var s1 = SIMD8<Float>()
    private var s2 = SIMD8<Float>()
    private var energy: Float = 0
    private var fill = 0
    private var samplesDone: Int64 = 0           // samples in completed half-blocks
    private var previousRe = SIMD8<Float>()
    private var previousIm = SIMD8<Float>()
    private var previousEnergy: Float = 0
    private var havePrevious = false
    private var noiseFloor: Float                // half-block energy of the background (minimum tracker)
    private var olderRe = SIMD8<Float>()         // the half-block before the previous one
    private var olderIm = SIMD8<Float>()
    private var olderEnergy: Float = 0
    private var haveOlder = false
    private var previousDigit: DTMFDigit?        // the last 20 ms window's own decision
    private var previousRelaxed = false          // it passed only through the in-noise ratio
    private var previousThreeHalf: DTMFDigit?    // the last 30 ms window's digit, at the pair limits
    private var window: [Float]                  // last three half-blocks, ring of 3×80
    private var currentHalf = 0

    // Decision state.
    private var runDigit: DTMFDigit?
    private var runLength = 0
    private var runStart: Int64 = 0
    private var activeDigit: DTMFDigit?
    private var activeStart: Int64 = 0
    private var activeEnd: Int64 = 0
    private var misses = 0
    private var activeLevel: Float = 0           // the active digit's two-tone energy per half-block
    private var silentHalves = 0                 // silent halves since the digit was last detected

    /// A detector for a stream at `sampleRate` (must be 8000: resample 16 kHz audio first).
    public init(sampleRate: Int = 8000, configuration: Configuration = .init()) {
        precondition(sampleRate == 8000, "DTMFDetector works at 8 kHz; resample first")
        self.sampleRate = sampleRate
        self.configuration = configuration
        let frequencies = DTMFDigit.rowFrequencies + DTMFDigit.columnFrequencies
        let n = Double(Self.halfBlock)
        var coefficient = SIMD8<Float>(), cosW = SIMD8<Float>(), sinW = SIMD8<Float>()
        var rotRe = SIMD8<Float>(), rotIm = SIMD8<Float>(), limit = SIMD8<Float>()
        var harmonic = SIMD8<Float>(), limit3 = SIMD8<Float>()
        for (lane, f) in frequencies.enumerated() {
            let w = ToneMath.twoPi * f / Double(sampleRate)
            coefficient[lane] = Float(2 * ToneMath.cos(w))
            cosW[lane] = Float(ToneMath.cos(w))
            sinW[lane] = Float(ToneMath.sin(w))
            rotRe[lane] = Float(ToneMath.cos(w * n))
            rotIm[lane] = Float(-ToneMath.sin(w * n))
            let maxTurn = ToneMath.twoPi * f * configuration.maximumFrequencyDeviation * n / Double(sampleRate)
            limit[lane] = Float(maxTurn >= Double.pi ? -1 : ToneMath.cos(maxTurn))
            harmonic[lane] = Float(2 * ToneMath.cos(2 * w))
            let maxTurn3 = ToneMath.twoPi * f * configuration.maximumThreeHalfFrequencyDeviation * n / Double(sampleRate)
            limit3[lane] = Float(maxTurn3 >= Double.pi ? -1 : ToneMath.cos(maxTurn3))
        }
        self.coefficient = coefficient
        self.cosW = cosW
        self.sinW = sinW
        self.rotRe = rotRe
        self.rotIm = rotIm
        self.phaseLimitCos = limit
        self.harmonicCoefficient = harmonic
        self.threeHalfPhaseLimitCos = limit3
        threeHalfChangeRatio = Float(ToneMath.gain(decibels: 2 * configuration.maximumThreeHalfChange))
        stationarityNoise = Float(configuration.stationarityNoiseAllowance)
        minTonePower = Float(ToneGenerator.meanPower(dBm0: configuration.minimumToneLevel))
        minStrongPowerInNoise = Float(ToneGenerator.meanPower(dBm0: configuration.minimumStrongToneLevelInNoise))
        // A 160-point Goertzel value of white noise has |y|² ≈ two half-block energies.
        harmonicNoise = Float(configuration.harmonicNoiseAllowance * 2)
        forwardTwist = Float(ToneMath.gain(decibels: 2 * configuration.maximumForwardTwist))
        reverseTwist = Float(ToneMath.gain(decibels: 2 * configuration.maximumReverseTwist))
        relativePeakRatio = Float(ToneMath.gain(decibels: 2 * configuration.relativePeak))
        threeHalfRelativePeakRatio = Float(ToneMath.gain(decibels: 2 * configuration.threeHalfRelativePeak))
        threeHalfToneToTotal = Float(configuration.minimumThreeHalfToneToTotalRatio)
        pairToneToTotal = Float(configuration.minimumPairToneToTotalRatio)
        pairNoiseAllowance = Float(configuration.pairNoiseAllowance)
        toneToTotal = Float(configuration.minimumToneToTotalRatio)
        toneToTotalInNoise = Float(configuration.minimumToneToTotalRatioInNoise)
        noiseAllowance = Float(configuration.noiseAllowance)
        // Power factor per 10 ms: `gain` converts amplitude dB, so a power rise of r dB is gain(2r).
        floorRise = Float(ToneMath.gain(decibels: 2 * configuration.noiseFloorRise / 100))
        noiseFloor = 0
        secondHarmonicRatio = Float(ToneMath.gain(decibels: 2 * configuration.maximumSecondHarmonic))
        rowSecondHarmonicRatio = Float(ToneMath.gain(decibels: 2 * configuration.maximumRowSecondHarmonic))
        halfChangeRatio = Float(ToneMath.gain(decibels: 2 * configuration.maximumHalfBlockChange))
        silentRatio = Float(ToneMath.gain(decibels: 2 * configuration.silentHalfLevel))
        window = [Float](repeating: 0, count: 3 * Self.halfBlock)
    }

    /// Feeds samples; calls `onEvent` for every digit that begins or ends inside them.
    /// Allocation-free; the closure is not stored.
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>, onEvent: (DTMFEvent) -> Void) {
        var index = 0
        let count = samples.count
        while index < count {
            let take = min(Self.halfBlock - fill, count - index)
            accumulate(samples, from: index, count: take)
            index += take
            fill += take
            if fill == Self.halfBlock {
                finishHalfBlock(onEvent: onEvent)
            }
        }
    }

    /// Feeds samples and returns the events found in them (usually none; an empty array does not
    /// allocate).
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>) -> [DTMFEvent] {
        var events: [DTMFEvent] = []
        process(samples) { events.append($0) }
        return events
    }

    /// Ends the stream: a digit still sounding is reported as ended at its last window, and the
    /// detector is reset for a new stream.
    public mutating func finish(onEvent: (DTMFEvent) -> Void) {
        if let digit = activeDigit {
            onEvent(DTMFEvent(kind: .ended, digit: digit, startSample: activeStart, endSample: activeEnd,
                              sampleRate: sampleRate))
        }
        self = DTMFDetector(sampleRate: sampleRate, configuration: configuration)
    }

    /// The complete digits in a whole clip (8 kHz), as `.ended` events in time order.
    public static func detect(in clip: [Int16], configuration: Configuration = .init()) -> [DTMFEvent] {
        var detector = DTMFDetector(configuration: configuration)
        var events: [DTMFEvent] = []
        let collect: (DTMFEvent) -> Void = { if $0.kind == .ended { events.append($0) } }
        clip.withUnsafeBufferPointer { detector.process($0, onEvent: collect) }
        detector.finish(onEvent: collect)
        return events
    }

    /// The complete digits in `clip` (8 kHz) with this detector's configuration; see `detect(in:configuration:)`.
    public func detect(in clip: [Int16]) -> [DTMFEvent] {
        Self.detect(in: clip, configuration: configuration)
    }

    // MARK: - Hot loop

    private mutating func accumulate(_ samples: UnsafeBufferPointer<Int16>, from start: Int, count: Int) {
        var a = s1, b = s2, e = energy
        let c = coefficient
        let offset = currentHalf * Self.halfBlock + fill
        window.withUnsafeMutableBufferPointer { store in
            for i in 0..<count {
                let x = Float(samples[start + i])
                store[offset + i] = x
                e += x * x
                let s0 = c * a - b + SIMD8(repeating: x)
                b = a
                a = s0
            }
        }
        s1 = a
        s2 = b
        energy = e
    }

    private mutating func finishHalfBlock(onEvent: (DTMFEvent) -> Void) {
        // y = s1 − e^{-jω} s2: the half-block's DFT value up to a constant phase.
        let re = s1 - cosW * s2
        let im = sinW * s2
        let halfEnergy = energy
        s1 = SIMD8()
        s2 = SIMD8()
        energy = 0
        fill = 0
        samplesDone += Int64(Self.halfBlock)
        if havePrevious {
            let (digit, relaxed) = classify(re: re, im: im, energy: halfEnergy)
            var confirmed: DTMFDigit?
            var confirmedHalves = 3
            if haveOlder, activeDigit == nil {
                // The 30 ms window runs on every step while no digit is active: a 20 ms pass (this
                // window or the last) plus a 30 ms pass at its own limits, or two 30 ms passes in a
                // row at the pair limits, confirm a digit.
                let (three, atOwnLimits) = classifyThreeHalves(re: re, im: im, energy: halfEnergy)
                if let three, atOwnLimits, three == digit ?? previousDigit {
                    confirmed = three
                } else if let three, three == previousThreeHalf {
                    confirmed = three
                    confirmedHalves = 4
                }
                previousThreeHalf = three
            } else {
                previousThreeHalf = nil
            }
            decide(digit, confirmed: confirmed, confirmedHalves: confirmedHalves, relaxedRun: relaxed || previousRelaxed,
                   windowEnd: samplesDone,
                   previousPower: previousRe * previousRe + previousIm * previousIm,
                   currentPower: re * re + im * im, onEvent: onEvent)
            previousDigit = digit
            previousRelaxed = relaxed
            haveOlder = true
        }
        olderRe = previousRe
        olderIm = previousIm
        olderEnergy = previousEnergy
        previousRe = re
        previousIm = im
        previousEnergy = halfEnergy
        // The first half-block seeds the floor; after that it follows dips at once and rises slowly.
        noiseFloor = samplesDone == Int64(Self.halfBlock) ? halfEnergy : min(noiseFloor * floorRise, halfEnergy)
        havePrevious = true
        currentHalf = currentHalf == 2 ? 0 : currentHalf + 1
    }

    // MARK: - Checks on one 20 ms window

    /// The window's digit, and whether it passed the tone-to-total test only through the in-noise
    /// relaxation (then a run of such windows does not begin a digit without the 30 ms check).
    private func classify(re: SIMD8<Float>, im: SIMD8<Float>, energy: Float) -> (DTMFDigit?, relaxed: Bool) {
        let n = Float(Self.halfBlock)
        let powerA = previousRe * previousRe + previousIm * previousIm
        let powerB = re * re + im * im
        // Per-tone mean power (squared sample units): a sine of amplitude A gives |y|² = (nA/2)².
        let tonePower = (powerA + powerB) * (1 / (n * n))
        // Coherent 160-point value: y_a + e^{-jωN} y_b.
        let wRe = previousRe + rotRe * re - rotIm * im
        let wIm = previousIm + rotRe * im + rotIm * re
        let windowPower = wRe * wRe + wIm * wIm

        var row = 0, column = 4
        for lane in 1..<4 where windowPower[lane] > windowPower[row] { row = lane }
        for lane in 5..<8 where windowPower[lane] > windowPower[column] { column = lane }
        let rowPower = tonePower[row], columnPower = tonePower[column]
        guard rowPower >= minTonePower, columnPower >= minTonePower else { return (nil, false) }
        guard columnPower <= rowPower * forwardTwist, rowPower <= columnPower * reverseTwist else { return (nil, false) }
        let totalPower = (previousEnergy + energy) / (2 * n)
        let tones = rowPower + columnPower
        let clearlyTonal = tones >= toneToTotal * totalPower
        let explainedByNoise = passesInNoise(rowPower: rowPower, columnPower: columnPower, totalPower: totalPower,
                                             ratio: toneToTotalInNoise, allowance: noiseAllowance)
        guard clearlyTonal || explainedByNoise else { return (nil, false) }
        for lane in 0..<4 where lane != row {
            if windowPower[row] < relativePeakRatio * windowPower[lane] { return (nil, false) }
        }
        for lane in 4..<8 where lane != column {
            if windowPower[column] < relativePeakRatio * windowPower[lane] { return (nil, false) }
        }
        func steadyAndOnFrequency(_ lane: Int) -> Bool {
            // Stationary over the two halves (the weaker one helped by the noise allowance).
            let a = powerA[lane], b = powerB[lane]
            let allowance = stationarityNoise * noiseFloor
            if a > (b + allowance) * halfChangeRatio || b > (a + allowance) * halfChangeRatio { return false }
            // Frequency: phase turn between halves, relative to the nominal turn, within limits.
            let zRe0 = re[lane] * previousRe[lane] + im[lane] * previousIm[lane]
            let zIm0 = im[lane] * previousRe[lane] - re[lane] * previousIm[lane]
            let zRe = zRe0 * rotRe[lane] - zIm0 * rotIm[lane]
            return zRe >= phaseLimitCos[lane] * (a * b).squareRoot()
        }
        guard steadyAndOnFrequency(row), steadyAndOnFrequency(column) else { return (nil, false) }
        // Second harmonics, only now that everything cheap has passed.
        let harmonics = secondHarmonicPower(row: row, column: column, halves: 2)
        let noise = clearlyTonal ? harmonicNoise * background(totalPower: totalPower, tones: tones) : 0
        if harmonics.row - noise > rowSecondHarmonicRatio * windowPower[row] { return (nil, false) }
        if harmonics.column - noise > secondHarmonicRatio * windowPower[column] { return (nil, false) }
        return (DTMFDigit(row: row, column: column - 4), !clearlyTonal)
    }

    /// The 30 ms window of the last three halves (older, previous, current): the same checks as
    /// `classify` with a 240-point coherent value, three-way stationarity and two phase turns.
    /// Returns the digit if it passes at least the pair limits (`minimumPairToneToTotalRatio`),
    /// and whether it also passes this window's own tone-to-total limits.
    private func classifyThreeHalves(re: SIMD8<Float>, im: SIMD8<Float>, energy: Float)
        -> (DTMFDigit?, atOwnLimits: Bool) {
        let n = Float(Self.halfBlock)
        let power0 = olderRe * olderRe + olderIm * olderIm
        let power1 = previousRe * previousRe + previousIm * previousIm
        let power2 = re * re + im * im
        let tonePower = (power0 + power1 + power2) * (2 / (3 * n * n))
        // y_0 + e^{-jωN} y_1 + e^{-j2ωN} y_2, by Horner: (y_2 e^{-jωN} + y_1) e^{-jωN} + y_0.
        let aRe = previousRe + rotRe * re - rotIm * im
        let aIm = previousIm + rotRe * im + rotIm * re
        let wRe = olderRe + rotRe * aRe - rotIm * aIm
        let wIm = olderIm + rotRe * aIm + rotIm * aRe
        let windowPower = wRe * wRe + wIm * wIm

        var row = 0, column = 4
        for lane in 1..<4 where windowPower[lane] > windowPower[row] { row = lane }
        for lane in 5..<8 where windowPower[lane] > windowPower[column] { column = lane }
        let rowPower = tonePower[row], columnPower = tonePower[column]
        guard rowPower >= minTonePower, columnPower >= minTonePower else { return (nil, false) }
        guard columnPower <= rowPower * forwardTwist, rowPower <= columnPower * reverseTwist else { return (nil, false) }
        let totalPower = (olderEnergy + previousEnergy + energy) / (3 * n)
        let tones = rowPower + columnPower
        let clearlyTonal = tones >= threeHalfToneToTotal * totalPower
        let atOwnLimits = clearlyTonal
            || passesInNoise(rowPower: rowPower, columnPower: columnPower, totalPower: totalPower,
                             ratio: toneToTotalInNoise, allowance: noiseAllowance)
        let atPairLimits = passesInNoise(rowPower: rowPower, columnPower: columnPower, totalPower: totalPower,
                                         ratio: pairToneToTotal, allowance: pairNoiseAllowance)
        guard atOwnLimits || atPairLimits else { return (nil, false) }
        for lane in 0..<4 where lane != row {
            if windowPower[row] < threeHalfRelativePeakRatio * windowPower[lane] { return (nil, false) }
        }
        for lane in 4..<8 where lane != column {
            if windowPower[column] < threeHalfRelativePeakRatio * windowPower[lane] { return (nil, false) }
        }
        func turnOnFrequency(_ lane: Int, _ aRe: Float, _ aIm: Float, _ aPower: Float,
                             _ bRe: Float, _ bIm: Float, _ bPower: Float) -> Bool {
            let zRe0 = bRe * aRe + bIm * aIm
            let zIm0 = bIm * aRe - bRe * aIm
            let zRe = zRe0 * rotRe[lane] - zIm0 * rotIm[lane]
            return zRe >= threeHalfPhaseLimitCos[lane] * (aPower * bPower).squareRoot()
        }
        func steadyAndOnFrequency(_ lane: Int) -> Bool {
            let a = power0[lane], b = power1[lane], c = power2[lane]
            if max(a, b, c) > min(a, b, c) * threeHalfChangeRatio { return false }
            return turnOnFrequency(lane, olderRe[lane], olderIm[lane], a, previousRe[lane], previousIm[lane], b)
                && turnOnFrequency(lane, previousRe[lane], previousIm[lane], b, re[lane], im[lane], c)
        }
        guard steadyAndOnFrequency(row), steadyAndOnFrequency(column) else { return (nil, false) }
        // Second harmonics over the last 20 ms only: a 240-point bin is so narrow that the harmonic
        // of a note 1.3% off a DTMF tone (E6 1319 Hz) falls into its null at twice the DTMF
        // frequency. So this is the 20 ms window's test, against the 160-point value of the last two halves.
        let harmonics = secondHarmonicPower(row: row, column: column, halves: 2)
        let lastRow = aRe[row] * aRe[row] + aIm[row] * aIm[row]
        let lastColumn = aRe[column] * aRe[column] + aIm[column] * aIm[column]
        // 3 dB stricter than a single window: one pass of a borderline 20 ms window plus this
        // confirmation must not let through music that keeps a DTMF-like pair with harmonics.
        let noise = clearlyTonal ? harmonicNoise * background(totalPower: totalPower, tones: tones) : 0
        if 2 * (harmonics.row - noise) > rowSecondHarmonicRatio * lastRow { return (nil, false) }
        if 2 * (harmonics.column - noise) > secondHarmonicRatio * lastColumn { return (nil, false) }
        return (DTMFDigit(row: row, column: column - 4), atOwnLimits)
    }

    /// A noise relaxation of the tone-to-total test (per-sample mean powers): the two tones hold at
    /// least `ratio` of the window's power, the rest is at most `allowance` times the tracked
    /// background, and the stronger tone reaches `minimumStrongToneLevelInNoise`.
    private func passesInNoise(rowPower: Float, columnPower: Float, totalPower: Float,
                               ratio: Float, allowance: Float) -> Bool {
        let tones = rowPower + columnPower
        return max(rowPower, columnPower) >= minStrongPowerInNoise
            && tones >= ratio * totalPower
            && totalPower - tones <= allowance * noiseFloor / Float(Self.halfBlock)
    }

    /// The background energy per half-block a noise allowance may assume: the tracked floor, but
    /// only where the window holds at least that much power besides its two tones. Where the floor
    /// is the signal itself (music or a sweep from the first sample on), there is no noise to allow for.
    private func background(totalPower: Float, tones: Float) -> Float {
        noiseFloor <= (totalPower - tones) * Float(Self.halfBlock) ? noiseFloor : 0
    }

    /// Goertzel at twice the row and column frequencies over the last `halves` half-blocks (2 or
    /// 3), scaled like `windowPower` (|DFT|² over the same samples).
    private func secondHarmonicPower(row: Int, column: Int, halves: Int) -> (row: Float, column: Float) {
        let cr = harmonicCoefficient[row], cc = harmonicCoefficient[column]
        var r1: Float = 0, r2: Float = 0, c1: Float = 0, c2: Float = 0
        // Ring of three halves; the current one is at `currentHalf`, the oldest wanted before it.
        let ringLength = 3 * Self.halfBlock
        let length = halves * Self.halfBlock
        let first = ((currentHalf + 4 - halves) % 3) * Self.halfBlock
        window.withUnsafeBufferPointer { store in
            for k in 0..<length {
                var i = first + k
                if i >= ringLength { i -= ringLength }
                let x = store[i]
                let r0 = x + cr * r1 - r2
                r2 = r1
                r1 = r0
                let c0 = x + cc * c1 - c2
                c2 = c1
                c1 = c0
            }
        }
        let rowPower = r1 * r1 + r2 * r2 - cr * r1 * r2
        let columnPower = c1 * c1 + c2 * c2 - cc * c1 * c2
        return (rowPower, columnPower)
    }

    // MARK: - Digit on/off logic

    /// `confirmed` is a digit that passed the 30 ms confirmation in this step (see the type's
    /// doc comment); it begins a digit like a full run of 20 ms windows, `confirmedHalves` half-blocks
    /// back (3 for one 30 ms window, 4 for two in a row).
    /// `previousPower` and `currentPower` are the Goertzel energies of the window's two halves.
    /// `relaxedRun`: this window or the one before passed only through the in-noise ratio.
    private mutating func decide(_ digit: DTMFDigit?, confirmed: DTMFDigit?, confirmedHalves: Int, relaxedRun: Bool,
                                 windowEnd: Int64,
                                 previousPower: SIMD8<Float>, currentPower: SIMD8<Float>,
                                 onEvent: (DTMFEvent) -> Void) {
        func level(_ d: DTMFDigit) -> Float {
            let row = d.row, column = 4 + d.column
            return (previousPower[row] + previousPower[column] + currentPower[row] + currentPower[column]) / 2
        }
        let windowStart = windowEnd - Int64(2 * Self.halfBlock)
        if let digit, digit == runDigit {
            runLength += 1
        } else {
            runDigit = digit
            runLength = digit == nil ? 0 : 1
            runStart = windowStart
        }
        if let active = activeDigit {
            if digit == active {
                misses = 0
                silentHalves = 0
                activeLevel = level(active)
                activeEnd = windowEnd
            } else {
                misses += 1
                if currentPower[active.row] + currentPower[4 + active.column] < silentRatio * activeLevel {
                    silentHalves += 1
                }
                let gone = silentHalves >= configuration.minimumSilentHalves || (digit != nil && digit != active)
                if misses >= configuration.minimumOffWindows && gone || misses >= configuration.maximumOffWindows {
                    onEvent(DTMFEvent(kind: .ended, digit: active, startSample: activeStart, endSample: activeEnd,
                                      sampleRate: sampleRate))
                    activeDigit = nil
                }
            }
        }
        // A run that leans on the in-noise ratio is what babble and noisy speech produce (two
        // harmonics near DTMF frequencies for 30 ms); it needs the 30 ms confirmation below instead.
        if activeDigit == nil, let candidate = runDigit, runLength >= configuration.minimumOnWindows, !relaxedRun {
            activeDigit = candidate
            activeStart = runStart
            activeEnd = windowEnd
            activeLevel = level(candidate)
            misses = 0
            silentHalves = 0
            onEvent(DTMFEvent(kind: .began, digit: candidate, startSample: runStart, endSample: nil,
                              sampleRate: sampleRate))
        } else if activeDigit == nil, let candidate = confirmed {
            activeDigit = candidate
            activeStart = windowEnd - Int64(confirmedHalves * Self.halfBlock)
            activeEnd = windowEnd
            activeLevel = level(candidate)
            misses = 0
            silentHalves = 0
            onEvent(DTMFEvent(kind: .began, digit: candidate, startSample: activeStart, endSample: nil,
                              sampleRate: sampleRate))
        }
    }
}
