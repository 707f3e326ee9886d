import Foundation
import Logging
import LogPipeline
import NIOCore
import VDMProxy
import MockUpstream

/// The one way a test runs the proxy in-process: a real mock upstream (`MockUpstream.withRunning`) and
/// a real proxy built as `vdm serve` builds it (`ServeSetup.make`: the environment, the configured
/// redaction, the log targets), started by `ProxyRunner` (port 0 unless `port` says otherwise,
/// graceful shutdown, upstream client shut down, logs flushed), its records in memory and in a JSON
/// lines file. The logs are closed and the harness's own file removed when `body` is done.
struct TestProxy: Sendable {
    let mock: MockUpstreamHandle
    let proxy: ProxyHandle
    /// Every record the proxy emitted (at `level` and above).
    let memory: MemorySink
    /// The JSON lines file (empty with `jsonLog: .none`).
    let jsonPath: String

    static let openAIKey = "sk-e2e-openai-ABCDEFGHIJKLMNOPQRSTUV0123456789"
    static let anthropicKey = "sk-ant-api03-e2e-ABCDEFGHIJKLMNOPQRSTUV0123456789"

    /// Where the JSON lines go.
    enum JSONLog: Sendable {
        /// A temporary file of the harness's own, removed afterwards.
        case temporary
        /// The test's own path, left for it to read after the proxy has stopped.
        case at(String)
        /// None (a test of the log targets themselves).
        case none
    }

    /// Both providers pointed at the mock upstream.
    static func environment(mock: MockUpstreamHandle) -> [String: String] {
        [
            "OPENAI_API_KEY": openAIKey,
            "OPENAI_BASE_URL": mock.baseURL + "/v1",
            "ANTHROPIC_API_KEY": anthropicKey,
            "ANTHROPIC_BASE_URL": mock.baseURL,
            "VDM_DEFAULT_PROVIDER": "openai",
            "LOG_SUMMARY_INTERVAL": "0",
            // Generous: a test that is not about timeouts must not see one when the machine is loaded (the
            // in-process mock shares two pool threads with the whole parallel suite). Timeout tests set their own.
            "REQUEST_TIMEOUT": "30",
        ]
    }

    /// Runs `body` against a fresh mock and proxy. `env` goes on top of `environment(mock:)`; `level`
    /// is `LOG_LEVEL`; `logTarget` is `--log-target` (the console is never one: test output stays
    /// clean); `logs` adjusts the log options last (e.g. `journaldUnavailable`).
    static func run<T: Sendable>(env extra: [String: String] = [:], level: Logger.Level = .info, port: Int = 0,
                                 logTarget: String? = nil, jsonLog: JSONLog = .temporary,
                                 logs adjust: (inout LogSetup.Options) -> Void = { _ in },
                                 _ body: (TestProxy) async throws -> T) async throws -> T {
        try await MockUpstream.withRunning { mock in
            var env = environment(mock: mock)
            env.merge(extra) { _, new in new }
            if level != .info { env["LOG_LEVEL"] = level.rawValue.uppercased() }
            let memory = MemorySink()
            let jsonPath: String? = switch jsonLog {
            case .temporary: FileManager.default.temporaryDirectory.appendingPathComponent("vdm-test-proxy-\(UUID().uuidString).jsonl").path
            case .at(let path): path
            case .none: nil
            }
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: port, logJSON: jsonPath, console: false, logTarget: logTarget,
                                            extraSinks: [memory], adjustLogs: adjust)
            defer {
                setup.logs.close()  // the test has read what it needed: release the sinks' threads and files
                if case .temporary = jsonLog, let jsonPath { try? FileManager.default.removeItem(atPath: jsonPath) }
            }
            return try await ProxyRunner.withRunning(setup.server) { proxy in
                try await body(TestProxy(mock: mock, proxy: proxy, memory: memory, jsonPath: jsonPath ?? ""))
            }
        }
    }

    /// journald asked for where neither journald nor syslog answers: the console stands in from the
    /// start. Only CRITICAL records pass, so the stand-in keeps the test output clean; no JSON file,
    /// so journald is the one output asked for.
    static func journaldUnavailable(_ options: inout LogSetup.Options) {
        options.targets = [.journald]
        options.jsonPath = nil
        options.journaldSocket = "/nonexistent/vdm-test/journal.socket"
        options.syslogSocket = "/nonexistent/vdm-test/log"
        options.level = .critical
    }

    // MARK: The proxy

    var server: ProxyServer { proxy.server }
    var tracker: RequestTracker { proxy.tracker }
    var port: Int { proxy.port }
    var base: String { proxy.baseURL }

    // MARK: HTTP (TestHTTP, the whole reply)

    typealias Reply = TestHTTP.Reply

    func post(_ path: String = "/v1/messages", body: [UInt8], headers: [(String, String)] = [], timeout: Int64 = 30) async throws -> Reply {
        try await TestHTTP.post(base + path, body: body, headers: headers, timeout: .seconds(timeout)).complete()
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await TestHTTP.send(base + path, headers: headers).complete()
    }

    /// `GET` of a JSON object; a status other than 200 fails, naming the path.
    func getJSON(_ path: String, headers: [(String, String)] = []) async throws -> [String: Any] {
        let reply = try await get(path, headers: headers)
        guard reply.status == 200 else { throw TestFailure("GET \(path): \(reply.status) \(reply.text)") }
        return try JSONTestValue.object(reply.text)
    }

    // MARK: Records

    /// Completed records, waiting (bounded) for `count` of them and for nothing left in flight.
    func completed(count: Int, timeout: Duration = .seconds(10)) async throws -> [RequestMetrics] {
        _ = try await Deadline.holds(within: timeout) {
            guard completedRecords().count >= count else { return false }
            return await proxy.tracker.activeCount == 0
        }
        return completedRecords()
    }

    func completedRecords() -> [RequestMetrics] {
        memory.all.compactMap { ($0.payload as? RequestCompletedPayload)?.metrics }
    }

    func records(for requestID: String) -> [LogRecord] {
        memory.all.filter { $0.correlationID == requestID }
    }

    var lastUpstreamBody: [UInt8] {
        guard var buffer = mock.state.lastBody() else { return [] }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Waits (bounded, polling the tracker test-side) until no SSE stream is open and no tracker waiter
    /// remains; returns what is left.
    func waitUntilStreamsGone(timeout: Duration = .seconds(5)) async -> (streams: Int, waiters: Int) {
        var left = (streams: 0, waiters: 0)
        _ = try? await Deadline.holds(within: timeout, poll: .milliseconds(5)) {
            left = (server.activeRequestsStream.openStreams, await tracker.waiterCount)
            return left == (0, 0)
        }
        return left
    }
}

extension TestHTTP.Reply {
    func json() throws -> JSONValue { try JSONValue.parse(body) }
    /// SSE events (name, data) in order.
    func events() throws -> [(String, JSONValue)] {
        var parser = SSEParser()
        return try (parser.feed(body) + parser.finish()).map { ($0.event ?? "", try JSONValue.parse(Array($0.data.utf8))) }
    }
}

func anthropicBody(model: String = "openai:gpt-4o", text: String = "Hello there", stream: Bool = false, extra: String = "") -> [UInt8] {
    Array(#"{"model":"\#(model)","max_tokens":128,"messages":[{"role":"user","content":"\#(text)"}]\#(stream ? #","stream":true"# : "")\#(extra)}"#.utf8)
}
