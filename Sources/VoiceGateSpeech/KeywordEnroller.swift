import Foundation

/// Enrolls new keyword phrases for a model without retraining (`voicegate enroll-keywords`).
///
/// Per phrase: espeak-ng says it alone and in carrier sentences, in the plan's template voices,
/// rates and pitches, through the telephone channel (`TelephoneChannel`); the network's trunk
/// embeds each example, and the phrase's stretch becomes a template (alone: the speech itself;
/// in a sentence: where the same voice's lone template matches). Recordings given for the
/// phrase become templates too. The threshold is calibrated on other voices: the largest
/// distance at which at most 5% of the negatives (plain sentences, near-misses, the menu's other
/// phrases) would be accepted, moved towards the phrase's own sentences when they are far closer.
public struct KeywordEnroller: Sendable {
    /// The model whose trunk makes the templates.
    public let model: KeywordModel
    /// Voices, rates, carriers and negatives.
    public let plan: KeywordEnrollmentPlan
    /// Largest share of negatives the threshold may accept.
    public static let falseAcceptLimit = 0.05

    /// A recording of the phrase said alone (e.g. from `Prompts/<lang>/keywords/<phrase>/`).
    public struct Recording: Sendable {
        /// Where it came from (shown in the file and the report).
        public var source: String
        /// Mono samples.
        public var samples: [Int16]
        /// Their rate.
        public var sampleRate: Int

        /// A recording with every field given.
        public init(source: String, samples: [Int16], sampleRate: Int) {
            self.source = source
            self.samples = samples
            self.sampleRate = sampleRate
        }
    }

    /// What enrollment measured for one phrase.
    public struct Report: Sendable {
        /// The phrase.
        public var phrase: String
        /// Templates kept (synthesised and recorded).
        public var templates: Int
        /// Of which recordings.
        public var recordings: Int
        /// The calibrated threshold.
        public var threshold: Double
        /// Share of the calibration sentences with the phrase that the threshold accepts.
        public var detected: Double
        /// Share of the negatives it accepts.
        public var falseAccepts: Double
        /// Negative sentences used.
        public var negatives: Int
    }

    /// An enroller for `model` following `plan`.
    public init(model: KeywordModel, plan: KeywordEnrollmentPlan) {
        self.model = model
        self.plan = plan
    }

    /// Enrolls `phrases`; `otherPhrases` (the menu's other phrases in the language) serve as
    /// negatives, `recordings` (by phrase, as written) as extra templates.
    public func enroll(phrases: [String], otherPhrases: [String], recordings: [String: [Recording]],
                       synthesizer: EspeakSynthesizer = .shared) async throws -> (EnrolledKeywords, [Report]) {
        var counter = 0
        func example(_ text: String, voices: [String]) async throws -> (audio: [Int16], speech: Range<Int>, voice: String) {
            let voice = voices[counter % voices.count]
            let rate = plan.rates[counter % plan.rates.count], pitch = plan.pitches[(counter / 2) % plan.pitches.count]
            counter += 1
            let clip = try await synthesizer.synthesize(text, voice: SpeechVoice(name: voice, wordsPerMinute: rate),
                                                        pitch: pitch, sampleRate: 8000)
            let sent = TelephoneChannel.transmit(clip.samples)
            return (sent.samples, sent.speech, "espeak-ng \(voice) \(rate) wpm pitch \(pitch)")
        }
        // Negatives shared by every phrase: plain sentences and near-misses in the calibration voices.
        var negatives: [KeywordEmbedding] = []
        for text in plan.negatives {
            if let e = model.embedding(of: try await example(text, voices: plan.calibrationVoices).audio, sampleRate: 8000) {
                negatives.append(e)
            }
        }
        var otherEmbeddings: [String: KeywordEmbedding] = [:]
        for other in Set(otherPhrases + phrases).sorted() {
            let text = plan.negativeCarrier.replacingOccurrences(of: "{}", with: other)
            otherEmbeddings[KeywordModel.normalised(other)] = model.embedding(
                of: try await example(text, voices: plan.calibrationVoices).audio, sampleRate: 8000)
        }

        var enrolled: [EnrolledKeywords.Phrase] = []
        var reports: [Report] = []
        var matcher = KeywordTemplateMatcher()
        for phrase in phrases {
            var templates: [KeywordEmbedding] = [], sources: [String] = []
            // Alone, then in a carrier, per template voice.
            for (k, voice) in plan.templateVoices.enumerated() {
                let alone = try await example(phrase, voices: [voice])
                guard let lone = model.embedding(of: alone.audio, sampleRate: 8000) else { continue }
                let span = Self.steps(alone.speech, limit: lone.steps)
                guard span.count >= 2 else { continue }
                let loneTemplate = lone.slice(span)
                templates.append(loneTemplate)
                sources.append("\(alone.voice): \(phrase)")
                let carrier = plan.carriers[1 + k % (plan.carriers.count - 1)]
                let sentence = carrier.replacingOccurrences(of: "{}", with: phrase)
                let said = try await example(sentence, voices: [voice])
                if let e = model.embedding(of: said.audio, sampleRate: 8000),
                   let found = matcher.match(loneTemplate, in: e), found.end > found.start {
                    templates.append(e.slice(found.start..<(found.end + 1)))
                    sources.append("\(said.voice): \(sentence)")
                }
            }
            let recorded = recordings[phrase] ?? []
            for r in recorded {
                let x = r.samples.map { Float($0) }
                let speech = TelephoneChannel.activeRange(x, sampleRate: r.sampleRate)
                guard let e = model.embedding(of: r.samples, sampleRate: r.sampleRate) else { continue }
                let scaled = Int(Double(speech.lowerBound) * 8000 / Double(r.sampleRate))..<Int(Double(speech.upperBound) * 8000 / Double(r.sampleRate))
                let span = Self.steps(scaled, limit: e.steps)
                guard span.count >= 2 else { continue }
                templates.append(e.slice(span))
                sources.append(r.source)
            }
            guard !templates.isEmpty else { throw SpeechError("no usable example of '\(phrase)' could be made") }

            // Calibration: the phrase in sentences by other voices, against the negatives.
            var positives: [Float] = []
            for (k, carrier) in plan.carriers.enumerated() {
                let text = carrier.replacingOccurrences(of: "{}", with: phrase)
                let voices = [plan.calibrationVoices[k % plan.calibrationVoices.count]]
                if let e = model.embedding(of: try await example(text, voices: voices).audio, sampleRate: 8000) {
                    positives.append(Self.distance(templates, e, &matcher))
                }
            }
            var negativeSet = negatives
            let own = KeywordModel.normalised(phrase)
            for (other, e) in otherEmbeddings where other != own && !Self.contains(other, own) {
                negativeSet.append(e)
            }
            // Each word of a longer phrase alone is a near-miss.
            let words = own.split(separator: " ")
            if words.count > 1 {
                for word in words where word.count > 2 {
                    let text = plan.negativeCarrier.replacingOccurrences(of: "{}", with: String(word))
                    if let e = model.embedding(of: try await example(text, voices: plan.calibrationVoices).audio, sampleRate: 8000) {
                        negativeSet.append(e)
                    }
                }
            }
            let negativeDistances = negativeSet.map { Self.distance(templates, $0, &matcher) }.sorted()
            let (threshold, scale) = Self.calibrate(positives: positives.sorted(), negatives: negativeDistances)
            enrolled.append(.init(phrase: phrase, threshold: threshold, scale: scale, templates: templates, sources: sources))
            reports.append(Report(
                phrase: phrase, templates: templates.count, recordings: recorded.count, threshold: Double(threshold),
                detected: Double(positives.filter { $0 <= threshold }.count) / Double(max(1, positives.count)),
                falseAccepts: Double(negativeDistances.filter { $0 <= threshold }.count) / Double(max(1, negativeDistances.count)),
                negatives: negativeDistances.count))
        }
        return (EnrolledKeywords(language: model.language, modelFingerprint: model.fingerprint, phrases: enrolled), reports)
    }

    /// The threshold: below the negatives' 5% point (so at most 5% of them pass), and halfway
    /// between that and the phrase's own sentences when those are all far closer (a margin for
    /// negatives calibration never heard). The scale is a fifth of the gap to the negatives' median.
    static func calibrate(positives: [Float], negatives: [Float]) -> (threshold: Float, scale: Float) {
        guard !negatives.isEmpty else { return ((positives.last ?? 0.3) + 0.05, 0.02) }
        let allowed = Int(Double(negatives.count) * falseAcceptLimit)  // negatives that may pass
        let limit = negatives[allowed] - 1e-4
        var threshold = limit
        if let worstPositive = positives.last, worstPositive < limit {
            threshold = (worstPositive + limit) / 2
        }
        let median = negatives[negatives.count / 2]
        return (threshold, max(0.005, (median - threshold) / 5))
    }

    /// A phrase's distance to an utterance: the mean of its best templates' distances.
    static func distance(_ templates: [KeywordEmbedding], _ utterance: KeywordEmbedding, _ matcher: inout KeywordTemplateMatcher) -> Float {
        var found = templates.compactMap { matcher.match($0, in: utterance)?.distance }.sorted()
        if found.isEmpty { return 2 }
        found = Array(found.prefix(EnrolledKeywordSpotter.bestOf))
        return found.reduce(0, +) / Float(found.count)
    }

    /// Output steps covering `samples` (8 kHz), one step of margin each side.
    static func steps(_ samples: Range<Int>, limit: Int) -> Range<Int> {
        let samplesPerStep = KeywordEmbedding.stepSeconds * 8000
        let first = max(0, Int(Double(samples.lowerBound) / samplesPerStep) - 1)
        let last = min(limit, Int((Double(samples.upperBound) / samplesPerStep).rounded(.up)) + 1)
        return first..<max(first, last)
    }

    /// Whether phrase `a` contains phrase `b` as whole words (or the other way round).
    static func contains(_ a: String, _ b: String) -> Bool {
        " \(a) ".contains(" \(b) ") || " \(b) ".contains(" \(a) ")
    }
}
