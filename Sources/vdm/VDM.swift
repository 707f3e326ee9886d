import ArgumentParser

// The libFuzzer build (-DVDM_FUZZ, scripts/fuzz) brings its own main; see Sources/Proxy/Fuzz.
#if !VDM_FUZZ
@main
#endif
struct VDM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdm",
        abstract: "An Anthropic Messages API proxy whose logs are the source of truth.",
        subcommands: [ServeCommand.self, DemoCommand.self, MockUpstreamCommand.self, ReplayCommand.self, MergeCommand.self, SummariesCommand.self, TraceCommand.self, BenchCommand.self]
    )
}
