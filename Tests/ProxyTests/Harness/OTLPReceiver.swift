import Foundation
import RealComponent
import Testing
import VDMBench

/// A real OTLP/HTTP receiver for the tests: PyPI's `oteltap` (pinned in scripts/install-deps, in the
/// tools virtualenv), listening on a loopback port and printing every log record and metric it
/// receives as one NDJSON line (the protobuf's canonical JSON). `received()` reads them back.
final class OTLPReceiver: Sendable {
    let port: Int
    let outputPath: String
    private let child: ChildProcess
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts oteltap and waits (bounded) until it says it listens.
    static func start() async throws -> OTLPReceiver {
        let python = try ExternalTool.venvPython()
        let probe = try await ExternalTool.run(python, ["-c", "import oteltap"])
        try RealComponent.require("PyPI oteltap in \(ExternalTool.toolsVenv.path)", available: probe.status == 0,
                                  install: "scripts/install-deps installs it into the tools virtualenv")
        let port = try await ServerPorts.free()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-oteltap-\(UUID().uuidString).ndjson").path
        let child = try ChildProcess.start(python, ["-u", "-m", "oteltap", "--port", String(port)], env: [:], output: output)
        let receiver = OTLPReceiver(port: port, outputPath: output, child: child)
        let deadline = ContinuousClock.now + .seconds(30)
        while !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("Listening for OTLP/HTTP") {
            guard ContinuousClock.now < deadline, child.process.isRunning else {
                receiver.stop()
                throw Failure(description: "oteltap did not start: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return receiver
    }

    private init(port: Int, outputPath: String, child: ChildProcess) {
        self.port = port
        self.outputPath = outputPath
        self.child = child
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Everything received so far: the raw text (for secret searches) and the parsed lines.
    struct Received {
        var text: String
        var logs: [[String: Any]] = []
        var metrics: [[String: Any]] = []
    }

    func received() throws -> Received {
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        var result = Received(text: text)
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if object["body"] != nil { result.logs.append(object) } else if object["name"] != nil { result.metrics.append(object) }
        }
        return result
    }

    /// Polls `received()` until `done` holds or the deadline passes; returns the last state either way.
    func wait(timeout: Duration = .seconds(60), until done: (Received) -> Bool) async throws -> Received {
        let deadline = ContinuousClock.now + timeout
        var state = try received()
        while !done(state) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            state = try received()
        }
        return state
    }

    func stop() {
        child.stop()
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
