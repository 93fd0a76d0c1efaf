import ArgumentParser

/// The `voicegate` command line: thin subcommands over the library targets (DESIGN.md section 5).
@main
struct VoiceGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voicegate",
        abstract: "VoiceGate, a SIP/RTP voice IVR gateway for a bank's contact center.",
        subcommands: [VADCommand.self, DTMFCommand.self, CheckConfigCommand.self, SimulateCommand.self, ConsoleCommand.self, ServeCommand.self, SpotCommand.self, EnrollKeywordsCommand.self, TuneKeywordsCommand.self, ReloadCommand.self, BenchGroupCommand.self, AdminCommand.self])
}
