package import LogPipeline
import VDMProxy

/// The end of `vdm demo`: its own JSON log replayed through the analyzer (`vdm replay`'s code), and
/// compared with what the live endpoints answered after the traffic.
package struct DemoReplayCheck: Sendable {
    /// A comparison of one live document with its replay.
    package struct Comparison: Sendable, Equatable {
        /// A line that differs (1-based, counted in the comparable form), with both versions.
        package struct Difference: Sendable, Equatable {
            package var line: Int
            package var live: String
            package var replay: String

            package init(line: Int, live: String, replay: String) {
                self.line = line
                self.live = live
                self.replay = replay
            }
        }

        package var firstDifference: Difference?

        package var isEqual: Bool { firstDifference == nil }

        package init(live: String, replay: String) {
            let a = live.split(separator: "\n", omittingEmptySubsequences: false)
            let b = replay.split(separator: "\n", omittingEmptySubsequences: false)
            guard let i = (0..<max(a.count, b.count)).first(where: { $0 >= a.count || $0 >= b.count || a[$0] != b[$0] }) else { return }
            firstDifference = Difference(line: i + 1, live: i < a.count ? String(a[i]) : "(end)", replay: i < b.count ? String(b[i]) : "(end)")
        }
    }

    package var jsonLog: String
    package var usage: ReplayReport.Usage
    package var completedRequests: Int
    package var neverCompleted: Int
    /// Running totals YAML, apart from the `# Generated:` line.
    package var totals: Comparison
    /// `/metrics` for the families replay renders (all but `MetricNames.processFamilies`).
    package var prometheus: Comparison

    package var passed: Bool { totals.isEqual && prometheus.isEqual }

    /// Replays `jsonLog` (complete and flushed) and compares it with the live documents.
    package static func run(jsonLog: String, liveYAML: String, livePrometheus: String) async throws -> DemoReplayCheck {
        let (state, exposition) = try await ReplayExposition.run(paths: [jsonLog])
        let yaml = TotalsFormat.yaml.render(try state.runningTotals(), generatedMicros: WallClock.nowMicros())
        return DemoReplayCheck(
            jsonLog: jsonLog, usage: ReplayReport.Usage(state), completedRequests: state.completedRequests,
            neverCompleted: state.looseEnds.count,
            totals: Comparison(live: TotalsFormat.yaml.comparable(liveYAML), replay: TotalsFormat.yaml.comparable(yaml)),
            prometheus: Comparison(live: ExpositionOrder.removing(families: MetricNames.processFamilies, from: livePrometheus), replay: exposition))
    }

    package var text: String {
        var out = "Replay of its own JSON log (vdm replay \(jsonLog)): \(usage.used) records used, \(usage.notUsed) not used; "
        out += "\(completedRequests) completed requests in the totals, \(neverCompleted) never completed\n"
        out += line("running totals", totals, equal: "equal to the live /metrics/running-totals?include_active=false byte for byte, apart from the Generated line")
        out += line("prometheus", prometheus, equal: "equal to the live /metrics byte for byte, for every family replay renders (all but \(MetricNames.processFamilies.joined(separator: ", ")))")
        out += passed ? "vdm demo: replay EQUALS the live totals\n" : "vdm demo: replay DIFFERS from the live totals\n"
        return out
    }

    private func line(_ name: String, _ comparison: Comparison, equal: String) -> String {
        guard let d = comparison.firstDifference else { return "  \(name): \(equal)\n" }
        return "  \(name): DIFFERENT from line \(d.line): live \(LineEscaper.escaped(d.live)) | replay \(LineEscaper.escaped(d.replay))\n"
    }
}
