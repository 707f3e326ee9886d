import Foundation
import NIOCore
import NIOHTTP1
import RealComponent
import Testing
import VDMBench
@testable import VDMProxy

/// A real OpenSearch-compatible engine for the tests: PyPI's `osmem-server` (an in-memory server with
/// OpenSearch's REST API; its prebuilt binary sits inside the wheel that `scripts/install-deps` puts in
/// the tools virtualenv). One process per test, on a loopback port the engine picks itself, so tests
/// running in parallel never share an index.
///
/// Missing engine: `RealComponent`'s policy (a failure in CI, a visible skip elsewhere).
final class SearchEngine: Sendable {
    let process: Process
    let baseURL: String
    private let outputPath: String

    /// `$OSMEM_SERVER_BIN` (the package's own override), else the binary inside the tools virtualenv.
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["OSMEM_SERVER_BIN"], !path.isEmpty {
            try RealComponent.require("osmem-server at $OSMEM_SERVER_BIN (\(path))", available: FileManager.default.isExecutableFile(atPath: path),
                                      install: "unset OSMEM_SERVER_BIN to use the one in the tools virtualenv")
            return path
        }
        let lib = ExternalTool.toolsVenv.appendingPathComponent("lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?.filter { $0.hasPrefix("python") }.sorted() ?? []
        let found = pythons.map { lib.appendingPathComponent("\($0)/site-packages/osmem_server/bin/osmem-server").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        try RealComponent.require("osmem-server (PyPI osmem-server, in \(ExternalTool.toolsVenv.path))", available: found != nil,
                                  install: "scripts/install-deps installs it into the tools virtualenv; VDM_TOOLS_VENV points elsewhere")
        return found ?? ""
    }

    /// Starts the engine and returns once it answers `GET /` (at most `timeout`).
    init(timeout: Duration = .seconds(30)) async throws {
        let binary = try Self.binary()
        outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-osmem-\(UUID().uuidString).out").path
        // Port 0: the engine binds a free one and prints its URL, so no port can be taken in between.
        // --no-stdin-watch: the test process's stdin may be closed; --parent-pid: a crashed test run
        // leaves no engine behind.
        let process = try Process.component(binary, ["--addr", "127.0.0.1:0", "--no-ja", "--no-stdin-watch", "--parent-pid", String(getpid())],
                                            output: outputPath)
        self.process = process
        let deadline = ContinuousClock.now + timeout
        var url: String?
        while url == nil {
            // The first line on stdout is `{"url":"http://127.0.0.1:PORT","pid":…,"version":…}`.
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            url = text.split(separator: "\n").lazy.compactMap { try? JSONValue.parse(String($0)) }.compactMap { $0["url"]?.string }.first
            guard url == nil else { break }
            guard process.isRunning else { throw TestFailure("osmem-server exited (\(process.terminationStatus)) during start-up: \(text)") }
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("osmem-server printed no URL in \(timeout): \(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        baseURL = url ?? ""
        while true {
            if let reply = try? await TestHTTP.send(baseURL + "/", timeout: .seconds(2)), reply.status == 200 { break }
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("osmem-server at \(baseURL) did not answer GET / in \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body` with a fresh engine and stops it afterwards, whatever `body` did.
    static func with<T: Sendable>(_ body: (SearchEngine) async throws -> T) async throws -> T {
        let engine = try await SearchEngine()
        do {
            let result = try await body(engine)
            await engine.stop()
            return result
        } catch {
            await engine.stop()
            throw error
        }
    }

    func stop() async {
        await process.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    struct Reply {
        var status: Int
        var json: JSONValue
        var text: String
    }

    /// One REST call; the reply parsed as JSON (every reply of the engine is JSON). The engine closes a
    /// connection idle for 60 s, the client's pool keeps one as long: a request that meets that close
    /// fails at the socket. A call that changes nothing when repeated (all but `_bulk`) is then sent
    /// once more, on a new connection.
    func call(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> Reply {
        let headers = body == nil ? [] : [("content-type", contentType)]
        let reply: TestHTTP.Reply
        do {
            reply = try await TestHTTP.send(baseURL + path, method: method, body: body, headers: headers, timeout: .seconds(60)).complete()
        } catch where !path.contains("/_bulk") && error is IOError {
            reply = try await TestHTTP.send(baseURL + path, method: method, body: body, headers: headers, timeout: .seconds(60)).complete()
        }
        let json: JSONValue
        do { json = try JSONValue.parse(reply.body) } catch { throw TestFailure("\(method) \(path): \(reply.status), not JSON: \(reply.text.prefix(500))") }
        return Reply(status: reply.status, json: json, text: reply.text)
    }

    /// PUT of a JSON document that must be acknowledged (a template, an index).
    func putAcknowledged(_ path: String, _ body: [UInt8]) async throws {
        let reply = try await call(.PUT, path, body: body)
        guard reply.status == 200, reply.json["acknowledged"]?.bool == true else { throw TestFailure("PUT \(path): \(reply.status) \(reply.text.prefix(1000))") }
    }

    /// `_bulk` of one `create` per line (each an ECS JSON record as vdm wrote it), refreshed at once.
    func bulkCreate(index: String, lines: [String]) async throws -> JSONValue {
        var body: [UInt8] = []
        for line in lines {
            body += Array(#"{"create":{}}"#.utf8) + [10] + Array(line.utf8) + [10]
        }
        let reply = try await call(.POST, "/\(index)/_bulk?refresh=true", body: body, contentType: "application/x-ndjson")
        guard reply.status == 200 else { throw TestFailure("_bulk: \(reply.status) \(reply.text.prefix(1000))") }
        return reply.json
    }

    /// The number of documents in `index` (0 while it does not exist yet).
    func count(_ index: String) async throws -> Int {
        let reply = try await call(.GET, "/\(index)/_count")
        if reply.status == 404 { return 0 }
        guard reply.status == 200, let count = reply.json["count"]?.int else { throw TestFailure("_count: \(reply.status) \(reply.text.prefix(500))") }
        return count
    }

    /// A `_search` body run on `index`.
    func search(_ index: String, _ body: [UInt8]) async throws -> JSONValue {
        _ = try await call(.POST, "/\(index)/_refresh")
        let reply = try await call(.POST, "/\(index)/_search", body: body)
        guard reply.status == 200 else { throw TestFailure("_search: \(reply.status) \(reply.text.prefix(1000))") }
        return reply.json
    }

    /// Every document's `_source` in `index` (at most `limit`, the engine's result window).
    func documents(_ index: String, limit: Int = 10_000) async throws -> [JSONValue] {
        let reply = try await search(index, Array(#"{"size":\#(limit),"query":{"match_all":{}}}"#.utf8))
        guard let hits = reply["hits"]?["hits"]?.array else { throw TestFailure("no hits in \(reply)") }
        return hits.compactMap { $0["_source"] }
    }
}
