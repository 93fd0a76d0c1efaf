/// Chooses a threshold per keyword phrase from a labelled corpus: the most files with the
/// right intent such that false accepts (any intent on a file that has none, a wrong intent on
/// a keyword file) stay within a share of the files. `voicegate tune-keywords` feeds it.
///
/// Each file is known by the likeliest keyword of each of its utterances; a file's intent
/// under some thresholds is that of its most confident utterance whose keyword reaches its
/// phrase's threshold (as `voicegate spot` decides). The search is a Lagrangian one: for a
/// range of prices per false accept, coordinate ascent over the phrases on a grid of
/// thresholds (ties go to the threshold nearest the current one, so a phrase without evidence
/// keeps it); of the results within the limit, the one with the most right intents wins.
public struct KeywordThresholdTuner: Sendable {
    /// One utterance's likeliest keyword.
    public struct Top: Sendable, Equatable {
        /// Its intent.
        public var intent: String
        /// Its live phrase (what thresholds are keyed by).
        public var phrase: String
        /// Its posterior.
        public var posterior: Double

        /// A top keyword.
        public init(intent: String, phrase: String, posterior: Double) {
            self.intent = intent
            self.phrase = phrase
            self.posterior = posterior
        }
    }

    /// One labelled file.
    public struct Sample: Sendable, Equatable {
        /// The right intent, nil when the file says none (distractor, noise, talk-off).
        public var intent: String?
        /// The likeliest keyword of each utterance.
        public var tops: [Top]

        /// A labelled file.
        public init(intent: String?, tops: [Top]) {
            self.intent = intent
            self.tops = tops
        }
    }

    /// How a set of thresholds does on the samples.
    public struct Outcome: Sendable, Equatable {
        /// Keyword files given their intent.
        public var correct: Int
        /// Files given an intent they do not have.
        public var falseAccepts: Int
        /// Keyword files.
        public var keywordFiles: Int
        /// Every file.
        public var files: Int

        /// Share of keyword files given their intent.
        public var accuracy: Double { keywordFiles == 0 ? 0 : Double(correct) / Double(keywordFiles) }
        /// Share of all files given an intent they do not have.
        public var falseAcceptRate: Double { files == 0 ? 0 : Double(falseAccepts) / Double(files) }
    }

    /// The labelled files.
    public var samples: [Sample]
    /// Thresholds to try (default 0.05, 0.10, ... 0.95: coarse, so a handful of files per
    /// phrase cannot pin a threshold to one posterior).
    public var grid: [Double] = (1...19).map { Double($0) * 0.05 }

    /// A tuner over `samples`.
    public init(samples: [Sample]) { self.samples = samples }

    /// The keyword `sample` is given under `thresholds` (phrase → posterior needed; a phrase
    /// not listed is never accepted), or nil.
    public static func decision(_ sample: Sample, _ thresholds: [String: Double]) -> Top? {
        var chosen: Top?
        for top in sample.tops where top.posterior >= thresholds[top.phrase] ?? 1.1 {
            if top.posterior > chosen?.posterior ?? -1 { chosen = top }
        }
        return chosen
    }

    /// The intent `sample` gets under `thresholds`.
    static func decide(_ sample: Sample, _ thresholds: [String: Double]) -> String? {
        decision(sample, thresholds)?.intent
    }

    /// How `thresholds` do on every sample.
    public func evaluate(_ thresholds: [String: Double]) -> Outcome {
        var outcome = Outcome(correct: 0, falseAccepts: 0, keywordFiles: 0, files: samples.count)
        for sample in samples {
            let decided = Self.decide(sample, thresholds)
            if sample.intent != nil { outcome.keywordFiles += 1 }
            if let decided { if decided == sample.intent { outcome.correct += 1 } else { outcome.falseAccepts += 1 } }
        }
        return outcome
    }

    /// Thresholds for every phrase of `start` (phrase → current threshold) that give the most
    /// right intents with false accepts at most `maxFalseAcceptRate` of the files; `start`
    /// itself when nothing is better, or when nothing meets the limit, the result with the fewest false accepts.
    public func tune(start: [String: Double], maxFalseAcceptRate: Double) -> [String: Double] {
        let limit = Int((maxFalseAcceptRate * Double(samples.count)).rounded(.down))
        var best = start
        var bestOutcome = evaluate(start)
        func better(_ o: Outcome, than b: Outcome) -> Bool {
            let (fits, bFits) = (o.falseAccepts <= limit, b.falseAccepts <= limit)
            if fits != bFits { return fits }
            if !fits { return o.falseAccepts < b.falseAccepts }
            return o.correct > b.correct || (o.correct == b.correct && o.falseAccepts < b.falseAccepts)
        }
        for price in [0.0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 16, 64, 1000] {
            let candidate = ascend(from: start, price: price)
            let outcome = evaluate(candidate)
            if better(outcome, than: bestOutcome) { (best, bestOutcome) = (candidate, outcome) }
        }
        return best
    }

    /// Coordinate ascent of right intents − `price` × false accepts, one phrase at a time.
    func ascend(from start: [String: Double], price: Double) -> [String: Double] {
        var thresholds = start
        let phrases = start.keys.sorted()
        let touching = Dictionary(uniqueKeysWithValues: phrases.map { phrase in
            (phrase, samples.filter { $0.tops.contains { $0.phrase == phrase } })
        })
        for _ in 0..<6 {
            var changed = false
            for phrase in phrases {
                let current = thresholds[phrase]!
                func gain(_ t: Double) -> Double {
                    var trial = thresholds
                    trial[phrase] = t
                    var g = 0.0
                    for sample in touching[phrase]! {
                        guard let decided = Self.decide(sample, trial) else { continue }
                        g += decided == sample.intent ? 1 : -price
                    }
                    return g
                }
                var chosen = current, chosenGain = gain(current)
                for t in grid {
                    let g = gain(t)
                    if g > chosenGain + 1e-9 || (abs(g - chosenGain) <= 1e-9 && abs(t - current) < abs(chosen - current)) {
                        (chosen, chosenGain) = (t, g)
                    }
                }
                if chosen != current { thresholds[phrase] = chosen; changed = true }
            }
            if !changed { break }
        }
        return thresholds
    }
}
