public import VoiceGateDSP
public import VoiceGateDialog

/// What a recogniser found in an utterance.
public struct Recognition: Sendable, Equatable {
    /// The intent (DESIGN.md section 6 names).
    public var intent: String
    /// The phrase that matched.
    public var phrase: String
    /// Confidence in 0...1.
    public var confidence: Double

    /// A recognition result.
    public init(intent: String, phrase: String, confidence: Double) {
        self.intent = intent
        self.phrase = phrase
        self.confidence = confidence
    }
}

/// Finds a menu intent in an endpointed utterance, given what the current node accepts.
/// The keyword spotter (VoiceGateSpeech) conforms; until it exists a call runs without one
/// and speech that is not understood counts as a no-match.
public protocol UtteranceRecognizer: Sendable {
    /// The best intent among `expected` in `utterance`, or nil when nothing matched.
    func recognize(_ utterance: Utterance, expected: [ExpectedIntent], language: Language) -> Recognition?
}

/// Turns the engine's prompt segments into audio at the call's rate (the prompt renderer
/// with its cache, in production; anything in tests).
public protocol PromptAudioSource: Sendable {
    /// Audio for `segments` in `language` at `sampleRate`, slowed for assisted callers.
    func audio(for segments: [PromptSegment], language: Language, slow: Bool, sampleRate: Int) async throws -> [Int16]
}
