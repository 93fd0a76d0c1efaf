import ArgumentParser

/// `voicegate dtmf` (DESIGN.md section 5). Placeholder until its issue lands.
struct DTMFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dtmf", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("dtmf is not built yet") }
}
