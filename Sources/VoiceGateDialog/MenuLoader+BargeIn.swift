import Yams

extension MenuParser {
    /// `barge_in_energy` of a node: allowed only where it can mean something, i.e. on a
    /// listening node (menu, confirm, collect) whose prompts are bargeable at all. A say,
    /// lookup, transfer or hang-up node never takes speech, so energy there has nothing to
    /// hand the caller's words to.
    mutating func parseBargeInEnergy(_ value: Node?, node: MenuNode, owner: String) -> Bool {
        guard let value, let on = reading.bool(value, "barge_in_energy") else { return false }
        guard on else { return false }
        guard node.listens else {
            reading.report(value, "barge_in_energy applies only to menu, confirm and collect nodes (\(node.kind.typeName) \(owner) does not listen)")
            return false
        }
        guard node.bargeIn else {
            reading.report(value, "barge_in_energy needs barge_in (the prompts of \(owner) cannot be interrupted)")
            return false
        }
        return true
    }
}
