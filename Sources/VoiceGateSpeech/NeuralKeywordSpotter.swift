import VoiceGateDSP

/// VoiceGate's keyword spotter: log-mel features, a small dilated convolutional network
/// trained on espeak-ng speech through the telephone channel (`make train-keywords`), one
/// class per keyword unit plus "none".
///
/// Per utterance: features, the network's per-class evidence over time, each live keyword
/// scored by its peak evidence and "none" by its mean; a softmax over only the live keywords
/// and "none" (classes the node does not accept are masked out), averaged over the networks of
/// an ensemble model, and the best live keyword
/// wins when its posterior reaches its phrase's threshold in the vocabulary (tuned per phrase
/// in the menu), else `threshold`. Its time is where its evidence peaks.
public struct NeuralKeywordSpotter: KeywordSpotter {
    /// The trained network.
    public let model: KeywordModel
    /// Posterior a keyword needs to be reported when the vocabulary sets none for its phrase.
    public var threshold: Double

    /// A spotter over `model`, with the model's tuned threshold unless one is given.
    public init(model: KeywordModel, threshold: Double? = nil) {
        self.model = model
        self.threshold = threshold ?? model.threshold
    }

    /// The model's language.
    public var languages: Set<String> { [model.language] }

    /// Whether a unit of the model serves `phrase`.
    public func supports(phrase: String) -> Bool { model.unit(for: phrase) != nil }

    /// Scores of one utterance, for evaluation and tuning: per live keyword its posterior.
    public struct Scores: Sendable {
        /// Live keywords (intent, phrase) with their posteriors and peak step, best first.
        public var candidates: [(intent: String, phrase: String, posterior: Double, start: Double, end: Double)]
        /// Posterior of "none".
        public var none: Double
    }

    /// The best live keyword in `samples`, or nil (see the type's description).
    public func spot(_ samples: [Int16], sampleRate: Int, vocabulary: KeywordVocabulary) -> KeywordDetection? {
        guard let scores = score(samples, sampleRate: sampleRate, vocabulary: vocabulary),
              let best = scores.candidates.first,
              best.posterior >= threshold(intent: best.intent, phrase: best.phrase, in: vocabulary) else { return nil }
        return KeywordDetection(intent: best.intent, phrase: best.phrase, confidence: best.posterior,
                                start: best.start, end: best.end)
    }

    /// The posterior `phrase` of `intent` needs: the vocabulary's own, else `threshold`.
    public func threshold(intent: String, phrase: String, in vocabulary: KeywordVocabulary) -> Double {
        vocabulary.threshold(intent: intent, phrase: phrase) ?? threshold
    }

    /// The live classes: per model unit, the first (intent, phrase) of the vocabulary it
    /// serves. Candidates are reported (and thresholds looked up) under that phrase.
    public func liveKeywords(in vocabulary: KeywordVocabulary) -> [(unit: Int, intent: String, phrase: String)] {
        var live: [(unit: Int, intent: String, phrase: String)] = []
        for entry in vocabulary.entries {
            for phrase in entry.phrases {
                if let u = model.unit(for: phrase), !live.contains(where: { $0.unit == u }) {
                    live.append((u, entry.intent, phrase))
                }
            }
        }
        return live
    }

    /// Every live keyword's posterior in `samples`; nil when nothing in the vocabulary is
    /// supported or the audio is shorter than a few frames. An ensemble model's networks each
    /// give posteriors over the live keywords and "none"; they are averaged (timing from the first).
    public func score(_ samples: [Int16], sampleRate: Int, vocabulary: KeywordVocabulary) -> Scores? {
        let live = liveKeywords(in: vocabulary)
        guard !live.isEmpty else { return nil }
        let share = 1 / Double(model.networks.count)
        var posteriors = [Double](repeating: 0, count: live.count)
        var none = 0.0
        var extents: [(start: Double, end: Double)] = []
        // The log-mel features once; each network gets them normalised its own way.
        guard let (logMel, frames) = KeywordFeatures.logMel(samples, sampleRate: sampleRate) else { return nil }
        var features: (values: [Float], normalisation: KeywordFeatures.Normalisation)?
        for network in model.networks {
            if features?.normalisation != network.normalisation {
                var values = logMel
                KeywordFeatures.normalise(&values, frames: frames, network.normalisation)
                features = (values, network.normalisation)
            }
            guard let features,
                  let evidence = Self.evidence(of: network, features: features.values, frames: frames,
                                               live: live.map(\.unit), noneClass: model.classes.count - 1,
                                               duration: Double(samples.count) / Double(sampleRate)) else { return nil }
            for i in live.indices { posteriors[i] += share * evidence.posteriors[i] }
            none += share * evidence.none
            if extents.isEmpty { extents = evidence.extents }
        }
        var candidates: [(intent: String, phrase: String, posterior: Double, start: Double, end: Double)] = []
        for (i, entry) in live.enumerated() {
            candidates.append((entry.intent, entry.phrase, posteriors[i], extents[i].start, extents[i].end))
        }
        candidates.sort { $0.posterior > $1.posterior }
        return Scores(candidates: candidates, none: none)
    }

    /// One network's posteriors over the `live` units and "none" (each unit scored by its peak
    /// logit over time, "none" by its mean, as in training), and where each unit's evidence lies.
    private static func evidence(of network: KeywordModel.Network, features: [Float], frames: Int, live: [Int],
                                 noneClass: Int, duration: Double)
        -> (posteriors: [Double], none: Double, extents: [(start: Double, end: Double)])? {
        var runner = KeywordNetwork(layers: network.layers, maximumFrames: frames)
        let (logits, steps) = features.withUnsafeBufferPointer { runner.logits(features: $0, frames: frames) }
        guard steps > 0 else { return nil }
        var noneScore: Float = 0
        for t in 0..<steps { noneScore += logits[noneClass * steps + t] }
        noneScore /= Float(steps)
        let peaks: [(score: Float, step: Int)] = live.map { unit in
            var best: (Float, Int) = (-.infinity, 0)
            for t in 0..<steps where logits[unit * steps + t] > best.0 { best = (logits[unit * steps + t], t) }
            return best
        }
        let top = max(noneScore, peaks.map(\.score).max() ?? noneScore)
        var total = Double(expf(noneScore - top))
        for p in peaks { total += Double(expf(p.score - top)) }
        let stepSeconds = Double(2 * LogMelFeatures.hop) / Double(LogMelFeatures.sampleRate)
        let center = Double(LogMelFeatures.frameLength / 2) / Double(LogMelFeatures.sampleRate)
        var extents: [(start: Double, end: Double)] = []
        for (unit, peak) in zip(live, peaks) {
            // Evidence extent: the steps around the peak within 2 logits of it.
            var first = peak.step, last = peak.step
            while first > 0 && logits[unit * steps + first - 1] > peak.score - 2 { first -= 1 }
            while last < steps - 1 && logits[unit * steps + last + 1] > peak.score - 2 { last += 1 }
            extents.append((max(0, Double(first) * stepSeconds + center - 0.1),
                            min(duration, Double(last) * stepSeconds + center + 0.1)))
        }
        return (peaks.map { Double(expf($0.score - top)) / total }, Double(expf(noneScore - top)) / total, extents)
    }
}

/// e^x in Float without Foundation.
private func expf(_ x: Float) -> Float {
    // exp(x) = 2^(x·log2 e), split into integer and fraction; the fraction by a short series.
    if x < -80 { return 0 }
    let y = x * 1.442_695_04
    let k = y.rounded(.down)
    let f = (y - k) * 0.693_147_18
    var term: Float = 1, sum: Float = 1
    for n in 1...9 { term *= f / Float(n); sum += term }
    return sum * Float(sign: .plus, exponent: Int(k), significand: 1)
}
