import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import NIOCore
import NIOHTTP1
import VDMProxy
import MockUpstream

/// A real mock upstream and a real proxy on loopback, logs to memory and to a JSON lines file.
struct E2E: Sendable {
    let mock: MockUpstreamHandle
    let proxy: ProxyHandle
    let memory: MemorySink
    let jsonPath: String

    static let openAIKey = "sk-e2e-openai-ABCDEFGHIJKLMNOPQRSTUV0123456789"
    static let anthropicKey = "sk-ant-api03-e2e-ABCDEFGHIJKLMNOPQRSTUV0123456789"

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

    static func run(env extra: [String: String] = [:], level: Logger.Level = .info, _ body: @Sendable (E2E) async throws -> Void) async throws {
        try await MockUpstream.withRunning { mock in
            var env = environment(mock: mock)
            env.merge(extra) { _, new in new }
            if level != .info { env["LOG_LEVEL"] = level.rawValue.uppercased() }
            let memory = MemorySink()
            let jsonPath = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-e2e-\(UUID().uuidString).jsonl").path
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, logJSON: jsonPath, console: false, extraSinks: [memory])
            try await ProxyRunner.withRunning(setup.server) { proxy in
                try await body(E2E(mock: mock, proxy: proxy, memory: memory, jsonPath: jsonPath))
            }
            setup.logs.close()  // the test has read what it needed: release the sinks' threads and files
            try? FileManager.default.removeItem(atPath: jsonPath)
        }
    }

    typealias Reply = TestHTTP.Reply

    func post(_ path: String = "/v1/messages", body: [UInt8], headers: [(String, String)] = [], timeout: Int64 = 30) async throws -> Reply {
        try await TestHTTP.post(proxy.baseURL + path, body: body, headers: headers, timeout: .seconds(timeout)).complete()
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await TestHTTP.send(proxy.baseURL + path, headers: headers).complete()
    }

    /// Completed records, waiting briefly for streamed bodies to finish on the server side.
    func completed(count: Int, timeout: Duration = .seconds(10)) async throws -> [RequestMetrics] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let records = completedRecords()
            if records.count >= count, await proxy.tracker.activeCount == 0 { return records }
            try await Task.sleep(for: .milliseconds(20))
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
