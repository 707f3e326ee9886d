import AsyncHTTPClient
import Foundation
import NIOCore
import RealComponent
import Synchronization
import Testing
import VDMBench
#if canImport(Glibc)
import Glibc
#endif

/// Programs the tests run (`promtool`, `prometheus` from the Debian package `prometheus`; `lnav`; the
/// PyPI virtualenv's python). Whether a missing one skips or fails is `RealComponent`'s one policy.
enum ExternalTool {
    static func require(_ name: String, package: String = "prometheus") throws -> String {
        try RealComponent.program(name, package: package)
    }

    /// The virtualenv `scripts/install-deps` fills with the pinned PyPI tools (the Anthropic and OpenAI
    /// Python SDKs): `$VDM_TOOLS_VENV`, else `.venv-tools` in this checkout.
    static var toolsVenv: URL {
        if let path = ProcessInfo.processInfo.environment["VDM_TOOLS_VENV"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".venv-tools")
    }

    /// The virtualenv's python, or a failure that says how to get it.
    static func venvPython() throws -> String {
        let path = toolsVenv.appendingPathComponent("bin/python").path
        try RealComponent.require("the Python virtualenv at \(toolsVenv.path) (PyPI anthropic, openai)",
                                  available: FileManager.default.isExecutableFile(atPath: path),
                                  install: "scripts/install-deps creates it; VDM_TOOLS_VENV points elsewhere")
        return path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion, feeding `input` on stdin; `environment` replaces the inherited one.
    /// The waiting happens on a thread of its own, never on the Swift concurrency pool: that pool has
    /// one thread per core, and an in-process server the program talks to needs them.
    static func run(_ path: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String]? = nil,
                    directory: URL? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    continuation.resume(returning: try runBlocking(path, arguments, input: input, environment: environment, directory: directory))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private static func runBlocking(_ path: String, _ arguments: [String], input: [UInt8], environment: [String: String]?,
                                    directory: URL?) throws -> Output {
        // stdin from a file, not a pipe: a program that exits early cannot SIGPIPE the test process.
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-stdin-\(UUID().uuidString)")
        try Data(input).write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // stderr drained on its own thread: a child filling it must not block on us reading stdout.
        let err = Mutex(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            err.withLock { $0 = data }
            drained.signal()
        }.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err.withLock { $0 }, as: UTF8.self))
    }
}

/// A real Prometheus server (the Debian package's binary) on loopback, scraping one target every
/// second, with its TSDB in a temporary directory. `stop()` terminates it and removes the directory.
final class PrometheusServer: Sendable {
    let child: ChildProcess
    let port: Int
    let directory: URL

    static func start(scraping target: Int, bearer: String?) async throws -> PrometheusServer {
        let binary = try ExternalTool.require("prometheus")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        var config = """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: vdm
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:\(target)']

        """
        if let bearer {
            config += "    authorization:\n      type: Bearer\n      credentials: '\(bearer)'\n"
        }
        let configURL = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let port = try await ServerPorts.free()
        let logURL = directory.appendingPathComponent("prometheus.log")
        let child = try ChildProcess.start(binary, [
            "--config.file=" + configURL.path, "--storage.tsdb.path=" + directory.appendingPathComponent("data").path,
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], env: [:], output: logURL.path)
        let server = PrometheusServer(child: child, port: port, directory: directory)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: server.base + "/-/ready"), timeout: .seconds(2)),
               response.status == .ok {
                return server
            }
            guard child.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        server.stop()
        throw TestFailure("prometheus did not become ready: \(text.suffix(2_000))")
    }

    private init(child: ChildProcess, port: Int, directory: URL) {
        self.child = child
        self.port = port
        self.directory = directory
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The value of an instant query that returns one sample, nil when it returns none.
    func scalar(_ query: String) async throws -> Double? {
        var components = URLComponents(string: base + "/api/v1/query")
        components?.queryItems = [URLQueryItem(name: "query", value: query)]
        guard let url = components?.url?.absoluteString else { throw TestFailure("bad query \(query)") }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let doc = try JSONTestValue.object(body)
        guard doc["status"] as? String == "success", let data = doc["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestFailure("query \(query) failed: \(body)")
        }
        guard let value = result.first?["value"] as? [Any], let text = value.last as? String else { return nil }
        return Double(text)
    }

    /// Polls until the query returns `expected` (Prometheus scrapes every second).
    func waitFor(_ query: String, toEqual expected: Double, timeout: Duration = .seconds(30)) async throws -> Double? {
        let deadline = ContinuousClock.now + timeout
        var last: Double?
        while ContinuousClock.now < deadline {
            last = try await scalar(query)
            if last == expected { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    func stop() {
        child.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Files of this repository (contrib/, docs/) that tests run tools on.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
