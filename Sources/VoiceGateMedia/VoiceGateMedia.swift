/// Namespace marker for the `VoiceGateMedia` module (see ../shared/DESIGN.md section 3).
public enum VoiceGateMediaModule {
    /// Module name, for diagnostics.
    public static let name = "VoiceGateMedia"
}
