public import VoiceGateDialog
public import VoiceGateMedia
public import VoiceGatePrompts

/// The gateway's live configuration: the `LiveState` new calls start from, shared by the SIP
/// loop (which takes a snapshot per new call) and the console/reload side (which publishes).
/// An actor so a swap is one step: a new call sees either the old state or the new one whole.
public actor LiveConfiguration {
    /// The state new calls get.
    public private(set) var state: LiveState
    /// The shared renderer (and its caches); each call renders from its own catalog snapshot.
    public nonisolated let renderer: PromptRenderer

    /// A live configuration starting at `state`, rendering with `renderer`.
    public init(state: LiveState, renderer: PromptRenderer) {
        self.state = state
        self.renderer = renderer
    }

    /// What a call with `callID` starting now runs (menu or canary, prompt texts, versions).
    public func snapshot(forNewCall callID: String) -> CallConfiguration {
        state.configuration(forNewCall: callID)
    }

    /// Applies `change` to the state in one step; returns what it returned. The renderer's own
    /// catalog follows too, for what renders outside a call snapshot (a bridged call's prompt).
    @discardableResult
    public func update<Result: Sendable>(_ change: @Sendable (inout LiveState) -> Result) async -> Result {
        let result = change(&state)
        await renderer.replaceCatalog(state.catalog)
        return result
    }
}

/// A call's prompt audio: the shared renderer reading the call's own catalog snapshot, so a
/// text published mid-call is heard from the next call on, never half-way through this one.
public struct SnapshotPromptSource: PromptAudioSource {
    /// The shared renderer (caches keyed by content, so a new text renders anew).
    public let renderer: PromptRenderer
    /// The texts this call plays.
    public let catalog: PromptCatalog

    /// A source; see the properties.
    public init(renderer: PromptRenderer, catalog: PromptCatalog) {
        self.renderer = renderer
        self.catalog = catalog
    }

    /// Renders `segments` from this call's catalog.
    public func audio(for segments: [PromptSegment], language: Language, slow: Bool, sampleRate: Int) async throws -> [Int16] {
        try await renderer.render(segments, language: language, sampleRate: sampleRate, slow: slow, catalog: catalog).audio.samples
    }
}

extension CallServices {
    /// The services of a call with `callID` starting now: with a live configuration, its
    /// snapshot's engine, menu version and prompt texts; without, these services unchanged.
    public func forNewCall(_ callID: String) async -> CallServices {
        guard let live else { return self }
        let configuration = await live.snapshot(forNewCall: callID)
        var services = self
        services.engine = configuration.engine
        services.menuVersion = configuration.menuVersion ?? menuVersion
        services.prompts = SnapshotPromptSource(renderer: live.renderer, catalog: configuration.catalog)
        services.configuration = configuration
        return services
    }

    /// `event` as the call's trace and records keep it (prompt events name their version).
    func annotated(_ event: TraceEvent) -> TraceEvent {
        configuration?.annotated(event) ?? event
    }
}
