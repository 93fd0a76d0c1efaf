/// Namespace marker for the `VoiceGatePrompts` module (see ../shared/DESIGN.md section 3).
public enum VoiceGatePromptsModule {
    /// Module name, for diagnostics.
    public static let name = "VoiceGatePrompts"
}
