import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import ServiceLifecycle
import Testing
import VDMProxy

/// `/metrics/active-requests/stream` read the way a browser's EventSource reads it.
/// Serialized: the latency measurements should not share the CPU with the 1,000-client test.
@Suite(.serialized) struct MetricsStreamTests {
    static let streamPath = "/metrics/active-requests/stream"

    static func ids(_ item: SSERecorder.Item) -> [String] {
        guard let doc = try? JSONTestValue.object(item.data), let rows = doc["active_requests"] as? [[String: Any]] else { return [] }
        return rows.compactMap { $0["request_id"] as? String }
    }

    static func millis(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1_000 + Double(d.components.attoseconds) / 1e15
    }

    @Test func startsAndEndsArriveWithin100ms() async throws {
        try await MetricsTestServer.with { proxy in
            let stream = SSERecorder.connect(proxy.base + Self.streamPath)
            defer { stream.close() }
            let first = try #require(await stream.first { $0.event == "update" })
            #expect(stream.statusCode == 200)
            #expect(stream.responseHeaders["content-type"] == "text/event-stream")
            #expect(stream.responseHeaders["cache-control"] == "no-cache")
            #expect(first.retry == "2000")
            #expect(first.id != nil)
            #expect(Self.ids(first).isEmpty)
            let doc = try JSONTestValue.object(first.data)
            #expect(doc["disabled"] as? Bool == false)
            #expect(doc["timestamp"] is Double)

            // One unmeasured round first: when the whole suite starts, every test competes for the
            // CPU at once, and the first change can take tens of milliseconds to be scheduled.
            let warmUp = workload("warm-up")
            await proxy.tracker.start(warmUp)
            #expect(await stream.first(timeout: .seconds(2)) { Self.ids($0) == ["warm-up"] } != nil)
            await proxy.tracker.end(warmUp)
            #expect(await stream.first(timeout: .seconds(2)) { $0.event == "update" && Self.ids($0).isEmpty && $0.id != first.id } != nil)

            // Changes after a quiet moment (pure delivery latency), then back to back (where the
            // 50 ms spacing of start/end events applies).
            var latencies: [Double] = []
            var backToBack: [Double] = []
            for round in 0..<5 {
                try await Task.sleep(for: .milliseconds(80))
                let id = "sse-\(round)"
                let m = workload(id)
                let startedAt = ContinuousClock.now
                await proxy.tracker.start(m)
                let shown = try #require(await stream.first { Self.ids($0).contains(id) })
                latencies.append(Self.millis(shown.at - startedAt))
                let current = await proxy.tracker.currentVersion
                #expect(UInt64(shown.id ?? "") == current)

                try await Task.sleep(for: .milliseconds(80))
                let endedAt = ContinuousClock.now
                await proxy.tracker.end(m)
                let gone = try #require(await stream.first { $0.at > shown.at && $0.event == "update" && !Self.ids($0).contains(id) })
                latencies.append(Self.millis(gone.at - endedAt))

                // A start right after an event, and an end right after that.
                let quick = workload("quick-\(round)")
                let quickStart = ContinuousClock.now
                await proxy.tracker.start(quick)
                let quickShown = try #require(await stream.first { Self.ids($0).contains(quick.requestID) })
                backToBack.append(Self.millis(quickShown.at - quickStart))
                let quickEnd = ContinuousClock.now
                await proxy.tracker.end(quick)
                let quickGone = try #require(await stream.first { $0.at > quickShown.at && $0.event == "update" && !Self.ids($0).contains(quick.requestID) })
                backToBack.append(Self.millis(quickGone.at - quickEnd))
            }
            func line(_ values: [Double]) -> String {
                values.map { String(format: "%.1f", $0) }.joined(separator: " ") + " (max \(String(format: "%.1f", values.max() ?? 0)))"
            }
            print("SSE update latency ms after a quiet moment: \(line(latencies)); back to back: \(line(backToBack))")
            // Pushed, not polled: a 0.5 s poll would put the median near 250 ms.
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            // scripts/test runs this suite on its own (measured there: ~2 ms quiet, ~50 ms back to back,
            // the deliberate spacing of start/end events); 250 ms leaves room for a scheduler outlier.
            #expect(median(latencies) < 100)
            #expect(median(backToBack) < 100)
            #expect((latencies + backToBack).allSatisfy { $0 < 250 })
            // Event ids never go backwards.
            let ids = stream.updates.compactMap { $0.id.flatMap(UInt64.init) }
            #expect(ids == ids.sorted())
        }
    }

    @Test func liveNumberChangesAreCoalescedToOnePerInterval() async throws {
        try await MetricsTestServer.with(["VDM_ACTIVE_REQUESTS_SSE_INTERVAL": "0.3"]) { proxy in
            let stream = SSERecorder.connect(proxy.base + Self.streamPath)
            defer { stream.close() }
            _ = try #require(await stream.first { $0.event == "update" })
            let m = workload("tokens", streaming: true, output: 0)
            await proxy.tracker.start(m)
            let started = try #require(await stream.first { Self.ids($0) == ["tokens"] })
            // 60 token updates over ~600 ms: one event per 300 ms at most, not sixty.
            for n in 1...60 {
                await proxy.tracker.update("tokens") { $0.outputTokens = n }
                try await Task.sleep(for: .milliseconds(10))
            }
            let last = try #require(await stream.first(timeout: .seconds(2)) { item in
                guard let doc = try? JSONTestValue.object(item.data), let rows = doc["active_requests"] as? [[String: Any]] else { return false }
                return rows.first?["output_tokens"] as? Int == 60
            })
            let (from, to) = (started.at, last.at)
            var during: [SSERecorder.Item] = []
            for item in stream.updates where from < item.at && !(to < item.at) { during.append(item) }
            let span = Self.millis(last.at - started.at)
            #expect(during.count >= 1 && during.count <= Int(span / 300) + 2, "\(during.count) events for 60 changes in \(span) ms")
            for (a, b) in zip(during, during.dropFirst()) {
                #expect(Self.millis(b.at - a.at) > 200)
            }
            // An end is not held back by the interval.
            let endedAt = ContinuousClock.now
            await proxy.tracker.end(m)
            let gone = try #require(await stream.first { $0.at > last.at && $0.event == "update" && Self.ids($0).isEmpty })
            #expect(Self.millis(gone.at - endedAt) < 100)
        }
    }

    @Test func heartbeatsKeepAnIdleStreamAlive() async throws {
        try await MetricsTestServer.with(["VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT": "0.1"]) { proxy in
            let stream = SSERecorder.connect(proxy.base + Self.streamPath)
            defer { stream.close() }
            let first = await stream.first { $0.event == "update" }
            #expect(first != nil)
            try await Task.sleep(for: .milliseconds(450))
            let beats = stream.all.filter { $0.comment == "heartbeat" }
            #expect(beats.count >= 2 && beats.count <= 5, "\(beats.count) heartbeats")
            #expect(stream.updates.count == 1)  // nothing changed, nothing sent
        }
    }

    @Test func reconnectWithLastEventIDGetsAFreshSnapshotAtOnce() async throws {
        try await MetricsTestServer.with { proxy in
            let first = SSERecorder.connect(proxy.base + Self.streamPath)
            let seen = try #require(await first.first { $0.event == "update" })
            first.close()
            await proxy.tracker.start(workload("while-away"))
            let connectedAt = ContinuousClock.now
            let again = SSERecorder.connect(proxy.base + Self.streamPath, headers: [("last-event-id", seen.id ?? "")])
            defer { again.close() }
            let fresh = try #require(await again.first { $0.event == "update" })
            #expect(Self.ids(fresh) == ["while-away"])
            #expect(UInt64(fresh.id ?? "") ?? 0 > UInt64(seen.id ?? "") ?? 0)
            #expect(Self.millis(fresh.at - connectedAt) < 1_000)
            // A Last-Event-ID from another process (bigger than ours, or not a number) changes nothing.
            let stranger = SSERecorder.connect(proxy.base + Self.streamPath, headers: [("last-event-id", "not-a-number")])
            defer { stranger.close() }
            #expect(await stranger.first { Self.ids($0) == ["while-away"] } != nil)
        }
    }

    @Test(arguments: [
        (["LOG_REQUEST_METRICS": "false"], "Request metrics logging is disabled"),
        (["VDM_ACTIVE_REQUESTS_SSE_ENABLED": "false"], "SSE for active requests is disabled"),
    ])
    func disabledStreamsSendOneEventAndClose(env: [String: String], message: String) async throws {
        try await MetricsTestServer.with(env) { proxy in
            let response = try await proxy.get(Self.streamPath)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/event-stream")
            let lines = response.body.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first == "retry: 60000")
            #expect(lines.dropFirst().first == "event: disabled")
            #expect(response.body.hasSuffix("\n\n"))
            let data = try #require(lines.first { $0.hasPrefix("data: ") }).dropFirst(6)
            let doc = try JSONTestValue.object(String(data))
            #expect(doc["disabled"] as? Bool == true)
            #expect(doc["message"] as? String == message)
            #expect(doc["suggestion"] is String)
        }
    }

    /// Without this an open stream would hold a graceful shutdown for its whole grace period.
    @Test(.timeLimit(.minutes(1))) func gracefulShutdownEndsOpenStreams() async throws {
        var settings = try ServerSettings.fromEnvironment(MetricsTestServer.baseEnvironment)
        settings.port = 0
        var options = LogSetup.Options()
        options.console = false
        let logs = try LogSetup.make(options)
        let server = ProxyServer(settings: settings, registry: try ProviderRegistry.fromEnvironment(MetricsTestServer.baseEnvironment),
                                 logs: logs, summaryInterval: 0)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(services: [server.makeApplication { continuation.yield($0) }], logger: logs.logger("test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let stream = SSERecorder.connect("http://127.0.0.1:\(port)" + Self.streamPath)
            let first = await stream.first { $0.event == "update" }
            #expect(first != nil)
            #expect(server.activeRequestsStream.openStreams == 1)
            let shutdownAt = ContinuousClock.now
            await group.triggerGracefulShutdown()
            #expect(await stream.waitForEnd(timeout: .seconds(10)))
            try await tasks.waitForAll()
            print("SSE stream ended \(ContinuousClock.now - shutdownAt) after graceful shutdown began")
            #expect(ContinuousClock.now - shutdownAt < .seconds(5))
            #expect(server.activeRequestsStream.openStreams == 0)
            #expect(await server.tracker.waiterCount == 0)
        }
        await server.upstream.shutdown()
    }

    @Test func athousandClientsThatLeaveLeaveNothingBehind() async throws {
        try await MetricsTestServer.with { proxy in
            await proxy.tracker.start(workload("background"))
            let url = proxy.base + Self.streamPath
            @Sendable func cycle() async throws {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                var body = response.body.makeAsyncIterator()
                var received = ""
                while !received.contains("event: update") {
                    guard let chunk = try await body.next() else { throw TestFailure("stream ended before its first event") }
                    received += String(buffer: chunk)
                }
                // Leaving the scope drops the body: AsyncHTTPClient closes the connection.
            }
            for _ in 0..<50 { try await cycle() }  // warm up pools and caches before measuring
            _ = await proxy.waitUntilStreamsGone()
            let rssBefore = ProcessMemory.residentBytes()
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        for _ in 0..<100 { try await cycle() }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started
            let left = await proxy.waitUntilStreamsGone()
            let rssAfter = ProcessMemory.residentBytes()
            print("SSE 1000 connect/disconnect cycles: \(Self.millis(elapsed)) ms; open streams after: \(left.streams); tracker waiters after: \(left.waiters); RSS \(rssBefore / 1_048_576) → \(rssAfter / 1_048_576) MiB")
            #expect(left.streams == 0)
            #expect(left.waiters == 0)
            // Loose: other suites run in this process at the same time. A leak of one stream task and
            // its buffers per cycle would still show (1000 × ≥ 16 KiB).
            #expect(rssAfter < rssBefore + 64 << 20)
            // The stream still works afterwards.
            let stream = SSERecorder.connect(url)
            defer { stream.close() }
            #expect(await stream.first { Self.ids($0) == ["background"] } != nil)
        }
    }
}

enum ProcessMemory {
    /// Resident set size from /proc/self/statm (pages × page size); 0 where unavailable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * 4_096
    }
}
