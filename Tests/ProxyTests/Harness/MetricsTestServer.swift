import AsyncHTTPClient
import Foundation
import Hummingbird
import Journald
import Logging
import LogPipeline
import NIOCore
import Synchronization
import Testing
import VDMProxy

/// A proxy served in-process on 127.0.0.1 (port 0, started by `ProxyRunner` as `E2E` does) for the
/// metrics tests: no console output, records in memory, the tracker driven directly where a test needs
/// exact numbers.
struct MetricsTestServer: Sendable {
    let server: ProxyServer
    let port: Int
    let records: MemorySink

    var tracker: RequestTracker { server.tracker }
    var base: String { "http://127.0.0.1:\(port)" }

    static let baseEnvironment = ["OPENAI_API_KEY": "sk-test-upstream-key", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"]

    /// Runs `body` against a fresh proxy configured from `env` (on top of `baseEnvironment`), then stops it.
    /// `logs` adjusts the log options (e.g. to force a journald fallback).
    static func with<T: Sendable>(_ env: [String: String] = [:], logs adjust: (inout LogSetup.Options) -> Void = { _ in },
                                  _ body: @Sendable (MetricsTestServer) async throws -> T) async throws -> T {
        let environment = baseEnvironment.merging(env) { _, new in new }
        var settings = try ServerSettings.fromEnvironment(environment)
        settings.host = "127.0.0.1"
        settings.port = 0
        let registry = try ProviderRegistry.fromEnvironment(environment)
        let records = MemorySink()
        var options = LogSetup.Options()
        options.console = false
        options.level = .debug
        options.extraSinks = [records]
        adjust(&options)
        let logs = try LogSetup.make(options)
        let server = ProxyServer(settings: settings, registry: registry, logs: logs, summaryInterval: 0)
        // The proxy starts and stops the one way every in-process test proxy does (graceful shutdown,
        // upstream client shut down, logs flushed); the logs are closed once the body is done with them.
        defer { logs.close() }
        return try await ProxyRunner.withRunning(server) { proxy in
            try await body(MetricsTestServer(server: server, port: proxy.port, records: records))
        }
    }

    // MARK: HTTP

    func get(_ path: String, headers: [(String, String)] = []) async throws -> (status: Int, headers: [String: String], body: String) {
        let reply = try await TestHTTP.send(base + path, headers: headers, timeout: .seconds(10), limit: 16 << 20).complete()
        return (reply.status, reply.fields, reply.text)
    }

    func getJSON(_ path: String, headers: [(String, String)] = []) async throws -> [String: Any] {
        let response = try await get(path, headers: headers)
        guard response.status == 200 else { throw TestFailure("GET \(path): \(response.status) \(response.body)") }
        return try JSONTestValue.object(response.body)
    }

    /// Waits (polling the tracker, test-side only) until no SSE stream is open and no tracker waiter remains.
    func waitUntilStreamsGone(timeout: Duration = .seconds(5)) async -> (streams: Int, waiters: Int) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let streams = server.activeRequestsStream.openStreams
            let waiters = await tracker.waiterCount
            if (streams == 0 && waiters == 0) || ContinuousClock.now >= deadline { return (streams, waiters) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum JSONTestValue {
    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text.prefix(200))")
        }
        return object
    }
}

/// Request metrics for driving the tracker directly.
func workload(_ id: String, provider: String = "openai", model: String = "gpt-4o", streaming: Bool = false,
              input: Int = 10, output: Int = 20, cacheRead: Int = 0, cacheCreation: Int = 0,
              durationMillis: Int64 = 100, upstreamMillis: Int64 = 90, firstTokenMillis: Int64 = 0,
              errorType: String? = nil, startMicros: Int64 = WallClock.nowMicros()) -> RequestMetrics {
    RequestMetrics(
        requestID: id, requestedModel: "\(provider):\(model)", resolvedModel: model, provider: provider, isStreaming: streaming,
        startMicros: startMicros, durationNanos: durationMillis * 1_000_000, upstreamNanos: upstreamMillis * 1_000_000,
        firstTokenNanos: firstTokenMillis * 1_000_000, inputTokens: input, outputTokens: output,
        cacheReadTokens: cacheRead, cacheCreationTokens: cacheCreation, toolUses: 1, toolResults: 1, toolCalls: 2,
        messageCount: 3, requestBytes: 1_234, responseBytes: 567, httpStatus: errorType == nil ? 200 : 502,
        error: errorType.map { "failed: \($0)" }, errorType: errorType)
}

/// A client of the SSE stream: reads in the background, records every event and comment with the
/// instant it arrived, and disconnects when `close()` cancels the reader.
final class SSERecorder: Sendable {
    struct Item: Sendable {
        var event: String?
        var id: String?
        var retry: String?
        var data: String
        var comment: String?
        var at: ContinuousClock.Instant
    }

    private let items = Mutex<[Item]>([])
    private let ended = Mutex<Bool>(false)
    private let status = Mutex<Int?>(nil)
    private let headers = Mutex<[String: String]>([:])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    static func connect(_ url: String, headers: [(String, String)] = []) -> SSERecorder {
        let recorder = SSERecorder()
        let task = Task {
            var request = HTTPClientRequest(url: url)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                var fields: [String: String] = [:]
                for header in response.headers { fields[header.name.lowercased()] = header.value }
                recorder.headers.withLock { $0 = fields }
                recorder.status.withLock { $0 = Int(response.status.code) }
                var pending: [UInt8] = []
                for try await chunk in response.body {
                    pending += chunk.readableBytesView
                    recorder.parse(&pending)
                }
            } catch {}
            recorder.ended.withLock { $0 = true }
        }
        recorder.reader.withLock { $0 = task }
        return recorder
    }

    var all: [Item] { items.withLock { $0 } }
    var updates: [Item] { all.filter { $0.event == "update" } }
    var hasEnded: Bool { ended.withLock { $0 } }
    var statusCode: Int? { status.withLock { $0 } }
    var responseHeaders: [String: String] { headers.withLock { $0 } }

    func close() {
        reader.withLock { $0?.cancel() }
    }

    /// Polls (test side) until `predicate` holds for some received item; returns it.
    func first(timeout: Duration = .seconds(5), where predicate: (Item) -> Bool) async -> Item? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let item = all.first(where: predicate) { return item }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return all.first(where: predicate)
    }

    func waitForEnd(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if hasEnded { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return hasEnded
    }

    /// Splits complete blocks (`\n\n`) off `pending` and records them.
    private func parse(_ pending: inout [UInt8]) {
        let now = ContinuousClock.now
        while let end = Self.blockEnd(pending) {
            let block = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 2)
            var item = Item(data: "", at: now)
            var dataLines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") {
                    item.comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
                } else if let value = Self.field("event", line) {
                    item.event = value
                } else if let value = Self.field("id", line) {
                    item.id = value
                } else if let value = Self.field("retry", line) {
                    item.retry = value
                } else if let value = Self.field("data", line) {
                    dataLines.append(value)
                }
            }
            item.data = dataLines.joined(separator: "\n")
            items.withLock { $0.append(item) }
        }
    }

    private static func blockEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { return i }
        return nil
    }

    private static func field(_ name: String, _ line: Substring) -> String? {
        guard line.hasPrefix(name + ":") else { return nil }
        var value = line.dropFirst(name.count + 1)
        if value.first == " " { value = value.dropFirst() }
        return String(value)
    }
}

/// Samples of a Prometheus text exposition, for comparing numbers.
struct PrometheusSamples {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]
    /// Metric family names from the `# TYPE` lines (a histogram's base name, without `_bucket`).
    let families: Set<String>

    init(_ text: String) {
        families = Set(text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
        })
        var out: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            let name: Substring
            if let brace = series.firstIndex(of: "{") {
                name = series[..<brace]
                var rest = series[series.index(after: brace)...].dropLast()  // drop "}"
                while let eq = rest.firstIndex(of: "=") {
                    let key = String(rest[..<eq])
                    var i = rest.index(eq, offsetBy: 2)  // skip ="
                    var value = ""
                    while i < rest.endIndex, rest[i] != "\"" {
                        if rest[i] == "\\", rest.index(after: i) < rest.endIndex {
                            i = rest.index(after: i)
                            value.append(rest[i] == "n" ? "\n" : rest[i])
                        } else {
                            value.append(rest[i])
                        }
                        i = rest.index(after: i)
                    }
                    labels[key] = value
                    rest = rest[min(rest.endIndex, rest.index(after: i))...]
                    if rest.first == "," { rest = rest.dropFirst() }
                }
            } else {
                name = series
            }
            out.append(Sample(name: String(name), labels: labels, value: value))
        }
        samples = out
    }

    func sum(_ name: String, where predicate: ([String: String]) -> Bool = { _ in true }) -> Double {
        samples.filter { $0.name == name && predicate($0.labels) }.reduce(0) { $0 + $1.value }
    }
}

extension MetricsTestServer {
    /// journald asked for where neither journald nor syslog answers: the console stands in from the
    /// start. Only CRITICAL records pass, so the stand-in keeps the test output clean.
    static func journaldUnavailable(_ options: inout LogSetup.Options) {
        options.targets = [.journald]
        options.journaldSocket = "/nonexistent/vdm-test/journal.socket"
        options.syslogSocket = "/nonexistent/vdm-test/log"
        options.level = .critical
    }
}
