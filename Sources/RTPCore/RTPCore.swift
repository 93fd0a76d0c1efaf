/// Namespace marker for the `RTPCore` module (DESIGN.md section 3).
public enum RTPCoreModule {
    /// Module name, for diagnostics.
    public static let name = "RTPCore"
}
