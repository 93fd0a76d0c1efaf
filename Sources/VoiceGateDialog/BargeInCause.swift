/// What stopped a prompt, for the ops console (`cause` in `bargein` and `false_bargein`
/// trace lines): a false barge-in rate per cause tells ops whether the spotter, the keypad
/// or the energy rule of a node cuts prompts for nothing.
public enum BargeInCause: String, Sendable, Codable, Equatable, CaseIterable {
    /// The keyword spotter heard an intent the node accepts.
    case keyword
    /// A key was pressed.
    case dtmf
    /// Confirmed speech onset alone, on a node with `barge_in_energy: true`.
    case energy
}

/// A barge-in whose input has not yet led anywhere: kept until that input is taken (a choice,
/// a digit of an entry), ends in a no-match (a false barge-in), or the caller leaves the node.
struct UnresolvedBargeIn: Sendable, Equatable {
    var cause: BargeInCause
    var promptID: String
    var playID: String
}
