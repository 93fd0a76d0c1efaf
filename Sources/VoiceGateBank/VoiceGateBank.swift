/// Namespace marker for the `VoiceGateBank` module: bank backends (SQLite demo bank, HTTP webhook).
public enum VoiceGateBankModule {
    /// Module name, for diagnostics.
    public static let name = "VoiceGateBank"
}
