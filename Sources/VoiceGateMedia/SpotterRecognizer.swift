public import VoiceGateDialog
public import VoiceGateDSP
public import VoiceGateSpeech

/// The keyword spotters as the call's `UtteranceRecognizer`: at the end of every endpointed
/// utterance, the node's expected intents become the spotter's live vocabulary, so only what
/// the node accepts can match ("yes" is not live in the main menu).
public struct SpotterRecognizer: UtteranceRecognizer {
    /// The spotters, one per language (the first that understands the call's language runs).
    public var spotters: [any KeywordSpotter]

    /// A recogniser over `spotters`.
    public init(spotters: [any KeywordSpotter]) { self.spotters = spotters }

    /// The node's vocabulary for the spotter: each expected intent with its phrases and the
    /// menu's tuned thresholds.
    public static func vocabulary(_ expected: [ExpectedIntent]) -> KeywordVocabulary {
        KeywordVocabulary(expected.map {
            KeywordVocabulary.Entry(intent: $0.intent, phrases: $0.phrases, thresholds: $0.thresholds)
        })
    }

    /// The best expected intent in `utterance`, or nil (no-match).
    public func recognize(_ utterance: Utterance, expected: [ExpectedIntent], language: Language) -> Recognition? {
        guard let spotter = spotters.first(where: { $0.languages.contains(language.rawValue) }) else { return nil }
        guard let found = spotter.spot(utterance.audio, sampleRate: utterance.sampleRate,
                                       vocabulary: Self.vocabulary(expected)) else { return nil }
        return Recognition(intent: found.intent, phrase: found.phrase, confidence: found.confidence)
    }
}
