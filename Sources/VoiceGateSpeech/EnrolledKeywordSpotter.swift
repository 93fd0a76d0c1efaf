import Foundation

/// The keyword spotter with enrolled phrases: the model's units are scored by the classifier
/// (`NeuralKeywordSpotter`, unchanged), and menu phrases that no unit serves but that
/// `voicegate enroll-keywords` enrolled are found by template matching on the same network's
/// trunk (`KeywordTemplateMatcher`). Both kinds are live exactly when the node accepts them;
/// the more confident accepted detection wins.
public struct EnrolledKeywordSpotter: KeywordSpotter {
    /// The classifier over the model's units.
    public let units: NeuralKeywordSpotter
    /// The enrolled phrases (made for `units.model`).
    public let enrolled: EnrolledKeywords
    /// How many of a phrase's best-matching templates are averaged into its distance.
    public static let bestOf = 3

    /// A spotter over `units` plus the `enrolled` phrases.
    public init(units: NeuralKeywordSpotter, enrolled: EnrolledKeywords) {
        self.units = units
        self.enrolled = enrolled
    }

    /// The model's language.
    public var languages: Set<String> { units.languages }

    /// Whether a unit serves `phrase` or it was enrolled.
    public func supports(phrase: String) -> Bool {
        units.supports(phrase: phrase) || enrolled.phrase(phrase) != nil
    }

    /// How well an enrolled phrase matches one utterance.
    public struct Match: Sendable, Equatable {
        /// The intent of the phrase.
        public var intent: String
        /// The phrase as written in the menu.
        public var phrase: String
        /// Mean distance of the best templates (lower is closer).
        public var distance: Double
        /// The distance mapped to 0...1, 0.5 at the phrase's threshold.
        public var confidence: Double
        /// Whether the distance is within the phrase's threshold.
        public var accepted: Bool
        /// Where the best template matched, seconds from the start of the audio given.
        public var start: Double
        /// End of that match.
        public var end: Double
    }

    /// The best live enrolled phrase in `samples`, accepted or not; nil when no live phrase is
    /// enrolled (phrases a unit serves are left to the classifier) or the audio is too short.
    public func bestEnrolledMatch(_ samples: [Int16], sampleRate: Int, vocabulary: KeywordVocabulary) -> Match? {
        var live: [(intent: String, phrase: EnrolledKeywords.Phrase, written: String)] = []
        for entry in vocabulary.entries {
            for written in entry.phrases where !units.supports(phrase: written) {
                if let p = enrolled.phrase(written), !live.contains(where: { $0.phrase.phrase == p.phrase }) {
                    live.append((entry.intent, p, written))
                }
            }
        }
        guard !live.isEmpty, let utterance = units.model.embedding(of: samples, sampleRate: sampleRate) else { return nil }
        var matcher = KeywordTemplateMatcher()
        var best: Match?
        for (intent, phrase, written) in live {
            var found: [(distance: Float, start: Int, end: Int)] = []
            for template in phrase.templates {
                if let m = matcher.match(template, in: utterance) { found.append(m) }
            }
            guard !found.isEmpty else { continue }
            found.sort { $0.distance < $1.distance }
            let top = found.prefix(Self.bestOf)
            let distance = Double(top.map(\.distance).reduce(0, +)) / Double(top.count)
            let confidence = 1 / (1 + exp((distance - Double(phrase.threshold)) / Double(max(phrase.scale, 1e-4))))
            let step = KeywordEmbedding.stepSeconds
            let duration = Double(samples.count) / Double(sampleRate)
            let match = Match(intent: intent, phrase: written, distance: distance, confidence: confidence,
                              accepted: distance <= Double(phrase.threshold),
                              start: max(0, Double(found[0].start) * step), end: min(duration, Double(found[0].end + 1) * step + 0.015))
            if match.confidence > best?.confidence ?? -1 { best = match }
        }
        return best
    }

    /// The best live keyword: the classifier's detection or an accepted enrolled phrase,
    /// whichever is more confident; nil when neither is.
    public func spot(_ samples: [Int16], sampleRate: Int, vocabulary: KeywordVocabulary) -> KeywordDetection? {
        let unit = units.spot(samples, sampleRate: sampleRate, vocabulary: vocabulary)
        guard let match = bestEnrolledMatch(samples, sampleRate: sampleRate, vocabulary: vocabulary), match.accepted,
              match.confidence > unit?.confidence ?? -1 else { return unit }
        return KeywordDetection(intent: match.intent, phrase: match.phrase, confidence: match.confidence,
                                start: match.start, end: match.end)
    }
}
