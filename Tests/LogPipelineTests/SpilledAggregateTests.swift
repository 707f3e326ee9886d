import LogPipeline
import Testing

/// The spill file's counter order (`MetricCounters.fields`) covers every counter the type has and
/// gives each back to its own property: a counter added to `MetricCounters` and forgotten there
/// would silently vanish from replays long enough to spill.
@Suite struct SpilledAggregateTests {
    @Test func theFieldOrderHasEveryCounter() {
        #expect(Mirror(reflecting: MetricCounters()).children.count == MetricCounters.fieldCount)
    }

    @Test func eachCounterComesBackToItsOwnProperty() throws {
        var c = MetricCounters()
        c.requests = 1; c.errors = 2; c.inputTokens = 3; c.outputTokens = 4; c.cacheReadTokens = 5
        c.cacheCreationTokens = 6; c.toolUses = 7; c.toolResults = 8; c.toolCalls = 9; c.durationNanos = 10; c.inFlight = 11
        #expect(c.fields == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(try #require(MetricCounters(fields: c.fields)) == c)
        #expect(MetricCounters(fields: [1, 2]) == nil)
    }
}
