public import VoiceGateDialog
public import VoiceGatePrompts

/// The production prompt source: the renderer with its recordings, synthesis and cache.
extension PromptRenderer: PromptAudioSource {
    /// Renders `segments` and returns their samples.
    public func audio(for segments: [PromptSegment], language: Language, slow: Bool, sampleRate: Int) async throws -> [Int16] {
        try await render(segments, language: language, sampleRate: sampleRate, slow: slow).audio.samples
    }
}
