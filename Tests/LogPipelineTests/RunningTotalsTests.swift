import Foundation
import LogPipeline
import Testing
import Yams

@Suite struct RunningTotalsTests {
    func aggregate() throws -> MetricsAggregate {
        var a = MetricsAggregate()
        try a.add(sampleMetrics("1", provider: "openai", model: "gpt-4o", streaming: false, input: 10, output: 15, durationMillis: 324))
        try a.add(sampleMetrics("2", provider: "openai", model: "gpt-4o-mini", streaming: true, input: 5, output: 6, cacheRead: 100, durationMillis: 100))
        try a.add(sampleMetrics("3", provider: "openrouter", model: "kwaipilot/kat-coder-pro:free", input: 7, output: 8, durationMillis: 50, error: "boom", errorType: "upstream_5xx"))
        return a
    }

    @Test func inFlightRequestIsCountedOnce() throws {
        let active = sampleMetrics("4", provider: "openai", model: "gpt-4o", streaming: true, input: 7, output: 0, durationMillis: 0)
        let t = RunningTotals(aggregate: try aggregate(), active: [active], filter: TotalsFilter(), includeActive: true)
        #expect(t.summary.requests == 4)
        #expect(t.summary.inputTokens == 10 + 5 + 7 + 7)
        #expect(t.activeRequests == 1)
        let openai = t.providers.first { $0.name == "openai" }
        #expect(openai?.rollup.total.requests == 3)
        #expect(openai?.rollup.streaming.requests == 2)
        // The average ignores the in-flight request (it has no duration yet).
        #expect(t.summary.averageDurationMillis == (324 + 100 + 50 + 1) / 3)
        let without = RunningTotals(aggregate: try aggregate(), active: [active], filter: TotalsFilter(), includeActive: false)
        #expect(without.summary.requests == 3)
        #expect(without.activeRequests == 0)
    }

    @Test func filtersApplyToEverything() throws {
        let t = RunningTotals(aggregate: try aggregate(), active: [], filter: TotalsFilter(provider: "OPEN*", model: "*mini"), includeActive: true)
        #expect(t.providers.map(\.name) == ["openai"])
        #expect(t.providers.first?.models.map(\.name) == ["gpt-4o-mini"])
        #expect(t.summary.requests == 1)
        #expect(t.summary.cacheReadTokens == 100)
    }

    @Test func yamlParsesBackToTheSameNumbers() throws {
        let t = RunningTotals(aggregate: try aggregate(), active: [], filter: TotalsFilter(), includeActive: false)
        let text = RunningTotalsYAML.render(t, generatedMicros: 1_795_907_289_382_331)
        let doc = try #require(try Yams.load(yaml: text) as? [String: Any])
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["total_requests"] as? Int == 3)
        #expect(summary["total_errors"] as? Int == 1)
        #expect(summary["total_input_tokens"] as? Int == 22)
        #expect(summary["total_cache_read_tokens"] as? Int == 100)
        #expect(summary["average_duration_ms"] as? Int == 158)
        #expect(summary["total_duration_ms"] as? Double == 474.0)
        let providers = try #require(doc["providers"] as? [String: Any])
        let openrouter = try #require(providers["openrouter"] as? [String: Any])
        let models = try #require(openrouter["models"] as? [String: Any])
        let kat = try #require(models["kwaipilot/kat-coder-pro:free"] as? [String: Any])
        let total = try #require(kat["total"] as? [String: Any])
        #expect(total["errors"] as? Int == 1)
        #expect(kat["streaming"] == nil)
        #expect(kat["non_streaming"] != nil)
    }

    @Test func hostileModelNamesStayValidYAML() throws {
        var a = MetricsAggregate()
        let names = ["true", "null", "123", "1e5", "a: b", "- x", "#hash", "it's", "line\nbreak", "tab\there", "ünï cödé", "{x}", "[y]", "*star", "&amp", "!tag", "%p", "@at", "`tick`", "0x1F", ""]
        for (i, name) in names.enumerated() { try a.add(sampleMetrics("\(i)", provider: "p", model: name)) }
        let text = RunningTotalsYAML.render(RunningTotals(aggregate: a, active: [], filter: TotalsFilter(), includeActive: false), generatedMicros: 0)
        let doc = try #require(try Yams.load(yaml: text) as? [String: Any])
        let models = try #require(((doc["providers"] as? [String: Any])?["p"] as? [String: Any])?["models"] as? [String: Any])
        for name in names {
            let key = name.isEmpty ? "unknown" : name
            #expect(models[key] != nil, "missing \(key.debugDescription)")
        }
    }

    @Test func disabledDocumentIsValidYAML() throws {
        let doc = try #require(try Yams.load(yaml: RunningTotalsYAML.disabled(generatedMicros: 0)) as? [String: Any])
        #expect(doc["_metrics_enabled"] as? Bool == false)
        #expect((doc["message"] as? String)?.contains("disabled") == true)
    }

    @Test func filtersAreEchoedInTheHeader() throws {
        let t = RunningTotals(aggregate: try aggregate(), active: [], filter: TotalsFilter(provider: "poe", model: "claude*"), includeActive: true)
        let text = RunningTotalsYAML.render(t, generatedMicros: 0)
        #expect(text.contains("# Filter: provider=poe & model=claude*\n"))
        #expect(text.contains("providers: {}\n"))
    }

    /// Golden file: structure, key order, comments, blank lines. The file is a reviewed literal, never
    /// written by a test: after an intended change of the YAML, edit fixtures/golden/running-totals.yaml
    /// by hand (or paste the new rendering in) and review its diff like code.
    @Test func matchesTheGoldenFile() throws {
        let t = RunningTotals(aggregate: try aggregate(), active: [], filter: TotalsFilter(), includeActive: false)
        let text = RunningTotalsYAML.render(t, generatedMicros: 1_795_907_289_382_331)
        let url = fixturesDirectory().appendingPathComponent("golden/running-totals.yaml")
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(text == golden)
    }
}

func fixturesDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures")
}
