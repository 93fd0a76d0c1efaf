/// Barge-in: caller input stopping a prompt, its event, and the false barge-in that follows
/// when that input leads nowhere.
extension Turn {
    /// Stops the playing prompt because of caller input and records why. The barge-in stays
    /// unresolved until its input is taken (`bargeInTaken`) or fails (`failure` records a
    /// false barge-in).
    mutating func barge(_ cause: BargeInCause, intent: String? = nil, confidence: Double? = nil) {
        guard let playing = state.playing else { return }
        stopPlayback(.barged)
        record(.bargeIn(cause: cause, id: playing.promptID, playID: playing.playID, intent: intent, confidence: confidence))
        state.unresolvedBargeIn = UnresolvedBargeIn(cause: cause, promptID: playing.promptID, playID: playing.playID)
    }

    /// The input that barged did something useful: no false barge-in can follow.
    mutating func bargeInTaken() { state.unresolvedBargeIn = nil }

    /// The input after a barge-in failed (no-match, or no intent at all after an energy
    /// barge-in): the caller lost the prompt for nothing.
    mutating func bargeInFailed() {
        guard let barge = state.unresolvedBargeIn else { return }
        state.unresolvedBargeIn = nil
        record(.falseBargeIn(cause: barge.cause, id: barge.promptID, playID: barge.playID))
    }

    /// Energy barge-in: on a node with `barge_in_energy`, the confirmed start of speech stops
    /// a bargeable prompt at once, before anything is recognised. Whatever the utterance turns
    /// out to be (an intent, a no-match) is handled as usual when it ends.
    mutating func energyBargeIn() {
        guard state.phase == .inNode, let node = currentNode, node.listens, node.bargeInEnergy,
              let playing = state.playing, playing.bargeIn else { return }
        barge(.energy)
    }
}
