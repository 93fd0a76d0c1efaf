import ArgumentParser

/// `voicegate bench`: the front end's cost per frame (`front-end`, the default, so
/// `voicegate bench --passes 15` keeps working), the keyword spotter while listening (`spotter`)
/// and the SIP/RTP load generator (`rtp-load`).
struct BenchGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Speed benchmarks: the front end per frame, and concurrent calls against a running server.",
        subcommands: [BenchCommand.self, SpotterBenchCommand.self, RTPLoadCommand.self],
        defaultSubcommand: BenchCommand.self)
}
