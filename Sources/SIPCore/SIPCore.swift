/// Namespace marker for the `SIPCore` module (DESIGN.md section 3).
public enum SIPCoreModule {
    /// Module name, for diagnostics.
    public static let name = "SIPCore"
}
