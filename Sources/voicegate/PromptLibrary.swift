import VoiceGatePrompts
import VoiceGateSpeech

/// The prompts of `Prompts/` (recordings win over eSpeak NG synthesis) with the render cache.
enum PromptLibrary {
    /// A renderer over the catalog in `promptsFolder`, caching synthesis in `cacheFolder`.
    static func open(promptsFolder: String, cacheFolder: String) throws -> PromptRenderer {
        let catalog = try PromptCatalog.load(root: promptsFolder)
        return PromptRenderer(catalog: catalog, synthesizer: EspeakSynthesizer.shared, cacheDirectory: cacheFolder)
    }
}
