import VoiceGateDialog
import VoiceGateMedia

/// The prompts of `Prompts/` rendered through the prompt renderer and its cache.
struct PromptLibrary: PromptAudioSource {
    static func open(promptsFolder: String, cacheFolder: String) throws -> PromptLibrary { PromptLibrary() }
    func audio(for segments: [PromptSegment], language: Language, slow: Bool, sampleRate: Int) async throws -> [Int16] {
        [Int16](repeating: 0, count: sampleRate / 2)  // TEMPORARY until VoiceGatePrompts lands
    }
}
