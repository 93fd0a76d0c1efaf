/// Namespace marker for the `VoiceGateSpeech` module (see ../shared/DESIGN.md section 3).
public enum VoiceGateSpeechModule {
    /// Module name, for diagnostics.
    public static let name = "VoiceGateSpeech"
}
