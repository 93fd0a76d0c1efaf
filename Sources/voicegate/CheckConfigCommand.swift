import ArgumentParser

/// `voicegate check-config` (DESIGN.md section 5). Placeholder until its issue lands.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("check-config is not built yet") }
}
