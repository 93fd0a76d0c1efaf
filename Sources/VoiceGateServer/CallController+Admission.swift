public import SIPCore

extension CallController {
    /// Whether `request` is an INVITE that would start a new call: no To-tag (not in a dialog)
    /// and not a retransmission of an INVITE the controller already handles. Only such INVITEs
    /// go through admission (draining, calls per second); everything else must reach its call.
    public func isNewCallAttempt(_ request: SIPMessage) -> Bool {
        guard request.method == .invite, request.to?.tag == nil, let callID = request.callID else { return false }
        guard let existing = calls[callID] else { return true }
        // A rejected call's Call-ID may be tried again with a new transaction (see `invite`).
        return existing.phase == .rejected && existing.inviteBranch != request.topVia?.branch
    }
}
