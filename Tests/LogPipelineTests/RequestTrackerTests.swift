import Foundation
import Logging
import LogPipeline
import Testing

@Suite struct RequestTrackerTests {
    @Test func endingIsIdempotentAndLogsExactlyOneCompletedRecord() async throws {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger("vdm.request"))
        let m = sampleMetrics("req-1")
        await tracker.start(m, toolsDefined: 2, maxTokens: 100)
        #expect(await tracker.activeCount == 1)
        #expect(await tracker.end(m) == true)
        #expect(await tracker.end(m) == false)
        #expect(await tracker.activeCount == 0)
        let actions = c.records.compactMap { $0.payload?.action }
        #expect(actions == ["request.started", "request.completed"])
        #expect(c.records.allSatisfy { $0.correlationID == "req-1" })
        #expect(c.records[0].message.hasPrefix("START | Model: openai:gpt-4o (resolved: openai:gpt-4o) | Stream: false | Messages: 3"))
        #expect(c.records[1].message.hasPrefix("SUCCESS | Duration: 100ms"))
    }

    @Test func errorsAreLoggedAtErrorOrWarning() async {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger())
        let upstream = sampleMetrics("a", error: "bad gateway", errorType: "upstream_5xx")
        let client = sampleMetrics("b", error: "bad json", errorType: "invalid_request")
        for m in [upstream, client] {
            await tracker.start(m)
            await tracker.end(m)
        }
        let completed = c.records.filter { $0.payload?.action == "request.completed" }
        #expect(completed.map(\.level) == [.error, .warning])
        #expect(completed[0].message.hasPrefix("ERROR | Duration: 100ms | Status: 502 | Type: upstream_5xx"))
        #expect(await tracker.recentErrors().map(\.requestID) == ["b", "a"])
    }

    @Test func summaryCheckpointEveryNCompletionsWithCumulativeTotals() async throws {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger(), configuration: .init(summaryInterval: 3))
        for i in 0..<7 {
            let m = sampleMetrics("r\(i)", model: i % 2 == 0 ? "a" : "b", input: i, error: i == 4 ? "x" : nil, errorType: i == 4 ? "upstream_timeout" : nil)
            await tracker.start(m)
            await tracker.end(m)
        }
        let summaries = c.records.filter { $0.payload?.action == EventAction.summaryCheckpoint }
        #expect(summaries.count == 2)
        #expect(summaries.allSatisfy { $0.correlationID == nil })
        let second = try #require(summaries.last?.payload as? SummaryCheckpointPayload)
        #expect(second.totals.requests == 6)
        #expect(second.totals.inputTokens == 0 + 1 + 2 + 3 + 4 + 5)
        #expect(second.totals.errors == 1)
        #expect(summaries[0].message.hasPrefix("SUMMARY (cumulative since start) | Total: 3 | Errors: 0 | Avg Duration: 100ms | Input Tokens: 3"))
        let models = c.records.filter { $0.payload?.action == EventAction.summaryModels }.map(\.message)
        #expect(models.last == "MODELS (cumulative) | a: 3 | b: 3")
        let errors = c.records.filter { $0.payload?.action == EventAction.summaryErrors }
        #expect(errors.map(\.message) == ["ERRORS (cumulative) | upstream_timeout: 1"])
        #expect(errors.first?.level == .warning)
        // Each checkpoint's totals equal the completed records logged before it.
        for summary in summaries {
            let before = c.records.filter { $0.sequence < summary.sequence && $0.payload?.action == "request.completed" }
            #expect(before.count == (summary.payload as? SummaryCheckpointPayload)?.totals.requests)
        }
    }

    @Test func zeroIntervalDisablesSummaries() async {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger(), configuration: .init(summaryInterval: 0))
        for i in 0..<5 {
            await tracker.start(sampleMetrics("r\(i)"))
            await tracker.end(sampleMetrics("r\(i)"))
        }
        let summaries = c.records.filter { $0.payload?.action == EventAction.summaryCheckpoint }
        #expect(summaries.count == 0)
    }

    @Test func ringBuffersKeepTheNewest() async {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger(), configuration: .init(summaryInterval: 0, recentErrors: 3, recentTraces: 5))
        for i in 0..<12 {
            let m = sampleMetrics("r\(i)", error: "e", errorType: "t")
            await tracker.start(m)
            await tracker.end(m)
        }
        #expect(await tracker.recentTraces().map(\.requestID) == ["r11", "r10", "r9", "r8", "r7"])
        #expect(await tracker.recentErrors(limit: 2).map(\.requestID) == ["r11", "r10"])
        #expect(await tracker.recentErrors().map(\.seq) == [12, 11, 10])
    }

    @Test func updatesShowInTheActiveView() async {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger())
        await tracker.start(sampleMetrics("s", streaming: true, output: 0))
        await tracker.update("s") { $0.outputTokens = 42 }
        #expect(await tracker.activeRequests().first?.outputTokens == 42)
        let totals = await tracker.runningTotals()
        #expect(totals.summary.outputTokens == 42)
        #expect(totals.activeRequests == 1)
    }

    @Test func concurrentWaitersNeverMissAnUpdate() async throws {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger())
        let start = await tracker.currentVersion
        let seen = await withTaskGroup(of: UInt64.self) { group in
            for _ in 0..<200 {
                group.addTask { await tracker.waitForChange(after: start) }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(20))
                await tracker.start(sampleMetrics("w"))
                return await tracker.currentVersion
            }
            var all: [UInt64] = []
            for await v in group { all.append(v) }
            return all
        }
        #expect(seen.count == 201)
        #expect(seen.allSatisfy { $0 > start })
        #expect(await tracker.waiterCount == 0)
    }

    @Test func cancelledWaitersLeaveNothingBehind() async throws {
        let c = Captured()
        let tracker = RequestTracker(logger: c.logger())
        let version = await tracker.currentVersion
        for _ in 0..<1_000 {
            let task = Task { await tracker.waitForChange(after: version) }
            task.cancel()
            _ = await task.value
        }
        // A cancelled waiter leaves on the tracker's executor: wait (bounded) for the count to reach 0.
        let deadline = ContinuousClock.now + .seconds(10)
        while await tracker.waiterCount > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(await tracker.waiterCount == 0)
        #expect(await tracker.currentVersion == version)
    }
}
