/// What the caller may say now: intents with the phrases that select them. A dialog node's
/// vocabulary: only these phrases are live (so "yes"/"no" count only in confirmations).
public struct KeywordVocabulary: Sendable, Equatable {
    /// One intent and its phrases in the languages that count now.
    public struct Entry: Sendable, Equatable {
        /// The intent name (DESIGN.md section 6).
        public var intent: String
        /// Phrases that select it.
        public var phrases: [String]
        /// Posterior a phrase needs, where the menu tunes it (`thresholds:` of the intent);
        /// phrases not listed use the spotter's own threshold.
        public var thresholds: [String: Double]

        /// An intent and its phrases, optionally with per-phrase thresholds.
        public init(intent: String, phrases: [String], thresholds: [String: Double] = [:]) {
            self.intent = intent
            self.phrases = phrases
            self.thresholds = thresholds
        }
    }

    /// The live intents, in the node's order (earlier wins a tie).
    public var entries: [Entry]

    /// A vocabulary of `entries`.
    public init(_ entries: [Entry]) { self.entries = entries }

    /// The menu's own threshold for `phrase` of `intent`, if it sets one.
    public func threshold(intent: String, phrase: String) -> Double? {
        entries.first { $0.intent == intent }?.thresholds[phrase]
    }
}

/// A keyword found in an utterance.
public struct KeywordDetection: Sendable, Equatable {
    /// The intent of the phrase found.
    public var intent: String
    /// The live phrase that was matched (as written in the menu).
    public var phrase: String
    /// Posterior of the keyword against "none" and the other live keywords, 0...1.
    public var confidence: Double
    /// Where the keyword's evidence lies, seconds from the start of the audio given.
    public var start: Double
    /// End of the evidence, seconds from the start of the audio given.
    public var end: Double

    /// A detection with every field given.
    public init(intent: String, phrase: String, confidence: Double, start: Double, end: Double) {
        self.intent = intent
        self.phrase = phrase
        self.confidence = confidence
        self.start = start
        self.end = end
    }
}

/// Finds the caller's keyword in one endpointed utterance.
///
/// A spotter is configured per dialog state by the vocabulary it is given with each utterance
/// and runs only when the endpointer hands over an utterance (pre-roll included), so it costs
/// nothing between utterances.
public protocol KeywordSpotter: Sendable {
    /// The languages (BCP 47 primary tags, e.g. "en") this spotter understands.
    var languages: Set<String> { get }
    /// Whether `phrase` can be spotted at all (a phrase the engine cannot model is never live).
    func supports(phrase: String) -> Bool
    /// The best live keyword in `samples` (mono, `sampleRate` Hz), or nil when none is
    /// confident enough or the vocabulary has nothing this spotter supports.
    func spot(_ samples: [Int16], sampleRate: Int, vocabulary: KeywordVocabulary) -> KeywordDetection?
}
