import ArgumentParser

@main
struct VDM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdm",
        abstract: "An Anthropic Messages API proxy whose logs are the source of truth.",
        subcommands: [ServeCommand.self, DemoCommand.self, MockUpstreamCommand.self, ReplayCommand.self, MergeCommand.self, SummariesCommand.self, TraceCommand.self, BenchCommand.self]
    )
}
