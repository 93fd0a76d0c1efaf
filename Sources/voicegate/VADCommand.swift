import ArgumentParser

/// `voicegate vad` (DESIGN.md section 5). Placeholder until its issue lands.
struct VADCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vad", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("vad is not built yet") }
}
