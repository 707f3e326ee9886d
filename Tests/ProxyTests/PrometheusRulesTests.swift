import Foundation
import Testing
import Yams
import MockUpstream
import VDMDemo

/// contrib/prometheus: the alerting rules pass `promtool check rules` and their unit tests, the example
/// configuration passes `promtool check config`, and every metric the rules name is one a live proxy
/// really exports after real traffic (so no rule watches a series that never exists).
@Suite struct PrometheusRulesTests {
    static let directory = Repository.url("contrib/prometheus")
    static let rulesFile = directory.appendingPathComponent("vdm-alerts.yml")
    static let rulesTestFile = directory.appendingPathComponent("vdm-alerts.test.yml")
    static let configFile = directory.appendingPathComponent("prometheus.yml")

    @Test
    func promtoolAcceptsTheRules() async throws {
        let rules = try AlertRules.load(Self.rulesFile)
        let result = try await ExternalTool.run(try ExternalTool.require("promtool"), ["check", "rules", Self.rulesFile.path])
        print("promtool check rules: exit \(result.status)\n\(result.stdout)\(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: \(rules.count) rules found"))
        #expect(rules.count >= 7)
        for rule in rules {
            #expect(["critical", "warning"].contains(rule.labels["severity"]), "\(rule.name): severity")
            #expect(rule.duration != nil, "\(rule.name): a for: duration")
            #expect(["summary", "description", "runbook"].allSatisfy { rule.annotations[$0]?.isEmpty == false }, "\(rule.name): annotations")
        }
    }

    @Test
    func theRulesUnitTestsPassAndCoverEveryAlertBothWays() async throws {
        let rules = try AlertRules.load(Self.rulesFile)
        // Each alert has a case where it fires and one where it must not.
        let tests = try #require(try Yams.load(yaml: String(contentsOf: Self.rulesTestFile, encoding: .utf8)) as? [String: Any])
        let cases = (tests["tests"] as? [[String: Any]] ?? []).flatMap { $0["alert_rule_test"] as? [[String: Any]] ?? [] }
        for rule in rules {
            let mine = cases.filter { $0["alertname"] as? String == rule.name }
            #expect(mine.contains { ($0["exp_alerts"] as? [Any])?.isEmpty == false }, "\(rule.name) is never tested firing")
            #expect(mine.contains { ($0["exp_alerts"] as? [Any])?.isEmpty ?? true }, "\(rule.name) is never tested quiet")
        }
        let result = try await ExternalTool.run(try ExternalTool.require("promtool"), ["test", "rules", Self.rulesTestFile.lastPathComponent],
                                                directory: Self.directory)
        print("promtool test rules: exit \(result.status)\n\(result.stdout)\(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS"))
        #expect(!result.stdout.contains("FAILED"))
    }

    /// The example needs its key file (the bearer credentials the authenticated /metrics wants): with
    /// it promtool accepts the configuration and the rules it loads; without it promtool refuses.
    @Test
    func promtoolAcceptsTheExampleConfiguration() async throws {
        let promtool = try ExternalTool.require("promtool")
        let rules = try AlertRules.load(Self.rulesFile)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-promconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for file in [Self.configFile, Self.rulesFile] {
            try FileManager.default.copyItem(at: file, to: work.appendingPathComponent(file.lastPathComponent))
        }
        let config = work.appendingPathComponent("prometheus.yml").path

        let withoutKey = try await ExternalTool.run(promtool, ["check", "config", config])
        #expect(withoutKey.status != 0)
        #expect("\(withoutKey.stdout)\(withoutKey.stderr)".contains("vdm-proxy-api-key"))

        try "scrape-key-for-promtool\n".write(to: work.appendingPathComponent("vdm-proxy-api-key"), atomically: true, encoding: .utf8)
        let result = try await ExternalTool.run(promtool, ["check", "config", config])
        print("promtool check config: exit \(result.status)\n\(result.stdout)\(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 1 rule files found"))
        #expect(result.stdout.contains("SUCCESS: \(rules.count) rules found"))

        // The rules select the job this configuration scrapes, with the credentials /metrics needs.
        let document = try #require(try Yams.load(yaml: String(contentsOf: Self.configFile, encoding: .utf8)) as? [String: Any])
        let job = try #require((document["scrape_configs"] as? [[String: Any]])?.first)
        #expect(job["metrics_path"] as? String == "/metrics")
        #expect((job["authorization"] as? [String: Any])?["type"] as? String == "Bearer")
        let selected = Set(rules.flatMap { $0.jobSelectors })
        #expect(selected == [try #require(job["job_name"] as? String)])
    }

    /// A proxy with real traffic through the mock upstream (errors, streams, tool calls) and a forced
    /// journald fallback: every metric named in a rule's expression or annotations is in its /metrics.
    @Test(.timeLimit(.minutes(2)))
    func everyMetricTheRulesNameIsExported() async throws {
        let rules = try AlertRules.load(Self.rulesFile)
        let inExpressions = Set(rules.flatMap { AlertRules.metricNames(in: $0.expr) })
        let inAnnotations = Set(rules.flatMap { $0.annotations.values.flatMap(AlertRules.metricNames(in:)) })
        #expect(inExpressions.count >= 6)
        try await MockUpstream.withRunning { mock in
            try await MetricsTestServer.with(E2E.environment(mock: mock), logs: MetricsTestServer.journaldUnavailable) { proxy in
                let (_, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: 60), to: proxy.base, concurrency: 6)
                #expect(unexpected.isEmpty, "\(unexpected)")
                let scrape = try await proxy.get("/metrics")
                #expect(scrape.status == 200)
                let samples = PrometheusSamples(scrape.body)
                let exported = Set(samples.samples.map(\.name))
                for name in inExpressions.sorted() {
                    #expect(exported.contains(name), "\(name) is in a rule expression but not in /metrics")
                }
                for name in inAnnotations.sorted() {
                    #expect(exported.contains(name) || samples.families.contains(name), "\(name) is in an annotation but not in /metrics")
                }
                #expect(samples.sum("vdm_log_sink_fallback") { $0 == ["sink": "journald", "to": "console"] } == 1)
                #expect(samples.sum("vdm_requests_total") == 60)
                print("rules name \(inExpressions.sorted()) (+ \(inAnnotations.subtracting(inExpressions).sorted()) in annotations); all exported")
            }
        }
    }
}

/// The alerting rules of a rules file, as Prometheus reads them.
struct AlertRules {
    struct Rule {
        var name: String
        var expr: String
        var duration: String?
        var labels: [String: String]
        var annotations: [String: String]

        /// The `job="…"` values the expression selects.
        var jobSelectors: [String] {
            let pattern = /job\s*=\s*"([^"]*)"/
            return expr.matches(of: pattern).map { String($0.output.1) }
        }
    }

    static func load(_ url: URL) throws -> [Rule] {
        let document = try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any]
        let groups = document?["groups"] as? [[String: Any]] ?? []
        return groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }.compactMap { rule in
            guard let name = rule["alert"] as? String, let expr = rule["expr"] as? String else { return nil }
            return Rule(name: name, expr: expr, duration: rule["for"] as? String,
                        labels: rule["labels"] as? [String: String] ?? [:], annotations: rule["annotations"] as? [String: String] ?? [:])
        }
    }

    /// `vdm_…` metric names in a PromQL expression or an annotation (Prometheus' own, like `up`, are not ours).
    static func metricNames(in text: String) -> [String] {
        text.matches(of: /\bvdm_[a-z0-9_]+/).map { String($0.output) }
    }
}
