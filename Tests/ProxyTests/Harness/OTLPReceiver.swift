import Foundation
import Glibc
import RealComponent
import Testing
import VDMBench

/// A real OTLP/HTTP receiver for the tests: PyPI's `oteltap` (pinned in scripts/install-deps, in the
/// tools virtualenv), listening on a loopback port and printing every log record and metric it
/// receives as one NDJSON line (the protobuf's canonical JSON). `received()` reads them back.
///
/// Use it through `with`: it stops the receiver on every path with a bounded wait. Not `defer` +
/// SIGTERM: a child started from the test process inherits a libdispatch worker thread's signal mask,
/// SIGTERM blocked, and Python never unblocks it, so oteltap ignored SIGTERM and a synchronous
/// `waitUntilExit()` in a `defer` hung the suite (900 s, no output).
final class OTLPReceiver: Sendable {
    let port: Int
    let outputPath: String
    private let child: ChildProcess
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Runs `body` with a started receiver, then stops it (also when `body` throws).
    static func with<T>(_ body: (OTLPReceiver) async throws -> T) async throws -> T {
        let receiver = try await start()
        do {
            let result = try await body(receiver)
            await receiver.stop()
            return result
        } catch {
            await receiver.stop()
            throw error
        }
    }

    /// Starts oteltap and waits (bounded) until it says it listens.
    private static func start() async throws -> OTLPReceiver {
        let python = try ExternalTool.venvPython()
        let probe = try ChildProcess.start(python, ["-c", "import oteltap"], env: [:], output: "/dev/null")
        let imported = try await probe.exitStatus(within: .seconds(60)) == 0
        try RealComponent.require("PyPI oteltap in \(ExternalTool.toolsVenv.path)", available: imported,
                                  install: "scripts/install-deps installs it into the tools virtualenv")
        let port = try await ServerPorts.free()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-oteltap-\(UUID().uuidString).ndjson").path
        let child = try ChildProcess.start(python, ["-u", "-m", "oteltap", "--port", String(port)], env: [:], output: output)
        let receiver = OTLPReceiver(port: port, outputPath: output, child: child)
        do {
            try await Deadline.waitUntil("oteltap listens", timeout: .seconds(30), poll: .milliseconds(20)) {
                guard child.process.isRunning else {
                    throw TestFailure("oteltap exited: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
                }
                return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("Listening for OTLP/HTTP")
            }
        } catch {
            await receiver.stop()
            throw error
        }
        return receiver
    }

    private init(port: Int, outputPath: String, child: ChildProcess) {
        self.port = port
        self.outputPath = outputPath
        self.child = child
    }

    /// Everything received so far: the raw text (for secret searches) and the parsed lines.
    struct Received {
        var text: String
        var logs: [[String: Any]] = []
        var metrics: [[String: Any]] = []
    }

    func received() throws -> Received {
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        var result = Received(text: text)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // the text after the last newline: empty, or a line oteltap is still writing
        for line in lines where line.hasPrefix("{") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if object["body"] != nil { result.logs.append(object) } else if object["name"] != nil { result.metrics.append(object) }
        }
        return result
    }

    /// Polls `received()` until `done` holds (failing, naming `what`, after `timeout`); the state then.
    func wait(_ what: String, timeout: Duration = .seconds(60), until done: (Received) -> Bool) async throws -> Received {
        var state = try received()
        try await Deadline.waitUntil(what, timeout: timeout) {
            state = try received()
            return done(state)
        }
        return state
    }

    /// SIGKILL (SIGTERM is blocked in it, see above; it has nothing to flush: `-u`, a line per message)
    /// and a bounded wait for the exit.
    func stop() async {
        if child.process.isRunning { kill(child.pid, SIGKILL) }
        _ = try? await child.exitStatus(within: .seconds(10))
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

extension OTLPReceiver.Received {
    /// A log record's string attributes.
    static func attributes(_ record: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for item in record["attributes"] as? [[String: Any]] ?? [] {
            guard let key = item["key"] as? String, let value = item["value"] as? [String: Any] else { continue }
            if let s = value["stringValue"] as? String { result[key] = s }
        }
        return result
    }

    /// One histogram data point as the receiver last saw it (cumulative temporality: the newest export
    /// of a series holds its totals).
    struct Point: Hashable {
        var name: String
        var unit: String
        var attributes: [String: String]
        var count: Int
        var sum: Double
    }

    /// The newest point of every histogram series (name + attributes).
    var latestPoints: [Point] {
        var latest: [String: Point] = [:]
        for metric in metrics {
            guard let name = metric["name"] as? String, let histogram = metric["histogram"] as? [String: Any] else { continue }
            for point in histogram["dataPoints"] as? [[String: Any]] ?? [] {
                let attributes = Self.attributes(point)
                let key = name + "|" + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                // uint64 fields are strings in protobuf's JSON.
                let count = Int(point["count"] as? String ?? "") ?? (point["count"] as? Int ?? 0)
                latest[key] = Point(name: name, unit: metric["unit"] as? String ?? "", attributes: attributes, count: count,
                                    sum: point["sum"] as? Double ?? 0)
            }
        }
        return Array(latest.values)
    }
}
