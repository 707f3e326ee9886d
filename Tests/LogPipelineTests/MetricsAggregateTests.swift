import LogPipeline
import Testing

@Suite struct MetricsAggregateTests {
    @Test func addsSplitByStreaming() throws {
        var a = MetricsAggregate()
        try a.add(sampleMetrics("a", streaming: true, input: 1, output: 2, durationMillis: 10))
        try a.add(sampleMetrics("b", streaming: false, input: 3, output: 4, durationMillis: 30, error: "x", errorType: "upstream_5xx"))
        let bucket = a.providers["openai"]?.models["gpt-4o"]?.counters
        #expect(bucket?.total.requests == 2)
        #expect(bucket?.streaming.requests == 1)
        #expect(bucket?.nonStreaming.requests == 1)
        #expect(bucket?.total.errors == 1)
        #expect(bucket?.total.inputTokens == 4)
        #expect(bucket?.total.averageDurationMillis == 20)
        #expect(a.errorCounts == ["upstream_5xx": 1])
        #expect(a.totals.outputTokens == 6)
        #expect(a.completed == 2)
    }

    @Test func mergeIsOrderIndependent() throws {
        let ms = (0..<40).map { i in
            sampleMetrics("r\(i)", provider: ["openai", "anthropic", "poe"][i % 3], model: "m\(i % 5)", streaming: i % 2 == 0,
                          input: i, output: 2 * i, cacheRead: i % 4, durationMillis: Int64(i), error: i % 7 == 0 ? "e" : nil,
                          errorType: i % 7 == 0 ? "t\(i % 2)" : nil, start: Int64(i))
        }
        var whole = MetricsAggregate()
        for m in ms { try whole.add(m) }
        var a = MetricsAggregate(), b = MetricsAggregate()
        for (i, m) in ms.enumerated() { if i % 3 == 0 { try a.add(m) } else { try b.add(m) } }
        var ab = a; try ab.merge(b)
        var ba = b; try ba.merge(a)
        #expect(ab == whole)
        #expect(ba == whole)
        var reversed = MetricsAggregate()
        for m in ms.reversed() { try reversed.add(m) }
        #expect(reversed == whole)
    }

    @Test func clientControlledKeysAreCapped() throws {
        var a = MetricsAggregate(limits: AggregateLimits(maxProviders: 3, maxModelsPerProvider: 5, maxErrorTypes: 2))
        for i in 0..<100 {
            try a.add(sampleMetrics("r\(i)", provider: "p\(i % 10)", model: "model-\(i)", error: "e", errorType: "type-\(i)"))
        }
        #expect(a.providers.count <= 3)
        #expect(a.providers.values.allSatisfy { $0.models.count <= 5 })
        #expect(a.errorCounts.count <= 2)
        #expect(a.totals.requests == 100)
        #expect(a.errorCounts.values.reduce(0, +) == 100)
        #expect(a.providers[AggregateLimits.overflowKey] != nil)
    }

    @Test func modelKeyRules() {
        var m = RequestMetrics(requestID: "x", requestedModel: "openrouter:kwaipilot/kat-coder-pro:free", resolvedModel: "kwaipilot/kat-coder-pro:free", provider: "openrouter")
        #expect(m.modelKey == "kwaipilot/kat-coder-pro:free")
        m.resolvedModel = ""
        #expect(m.modelKey == "kwaipilot/kat-coder-pro:free")
        m.provider = ""
        #expect(m.providerKey == "unknown")
        #expect(m.modelKey == "openrouter:kwaipilot/kat-coder-pro:free")
        m.requestedModel = ""
        #expect(m.modelKey == "unknown")
    }

    @Test(arguments: [
        ("gpt*", "GPT-4o", true), ("gpt*", "o1", false), ("*", "", true), ("g?t-4o", "gpt-4o", true), ("*mini", "gpt-4o-mini", true),
        ("*4*o*", "gpt-4o", true), ("claude-*-sonnet", "claude-3-5-sonnet", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false),
        ("", "x", false), ("exact", "exact", true), ("exact", "exactly", false),
    ])
    func wildcard(pattern: String, candidate: String, expected: Bool) {
        #expect(WildcardPattern(pattern).matches(candidate) == expected)
    }

    @Test func averagesRoundHalfUpOverCompletedOnly() throws {
        var c = MetricCounters()
        var m = sampleMetrics(durationMillis: 0)
        m.durationNanos = 1_499_999
        c = try c.adding(MetricCounters(m))
        #expect(c.averageDurationMillis == 1)
        m.durationNanos = 1_500_001
        c = try c.adding(MetricCounters(m))
        #expect(c.averageDurationMillis == 2)  // (1.499999 + 1.500001) / 2 = 1.5 → 2
        c = try c.adding(MetricCounters(sampleMetrics(durationMillis: 999), inFlight: true))
        #expect(c.averageDurationMillis == 2)
        #expect(c.requests == 3)
    }
}
