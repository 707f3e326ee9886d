import ArgumentParser
import Foundation
import Logging
import LogPipeline

/// `vdm bench logging`: the cost of one record on the hot path, against swift-log's own
/// `StreamLogHandler` writing the same line, measured in the same run.
package enum LoggingBench {
    static func sampleMetrics() -> RequestMetrics {
        RequestMetrics(
            requestID: "3f1c2a9e-8b7d-4c21-9e0f-5a6b7c8d9e0f", requestedModel: "openai:gpt-4o-mini", resolvedModel: "gpt-4o-mini",
            provider: "openai", isStreaming: true, startMicros: 1_795_907_289_382_331, durationNanos: 1_234_567_891,
            upstreamNanos: 1_200_000_000, firstTokenNanos: 350_000_000, inputTokens: 1_523, outputTokens: 842, cacheReadTokens: 1_024,
            cacheCreationTokens: 0, toolUses: 2, toolResults: 2, toolCalls: 1, messageCount: 7, requestBytes: 18_234,
            responseBytes: 4_411, httpStatus: 200, stopReason: "tool_use")
    }

    /// What `vdm serve` redacts by value with five providers and a proxy key configured: the
    /// benchmark's redactor carries the same, so every measure pays for the value search.
    static let configuredSecrets = ConfiguredSecrets([
        "sk-proj-Zt3kQ9wL2mN8vB4xC6yH1jF5gD7sA0eR2tY4uI6oP8aS1dF3gH5jK7lZ9xC2vB4nM",
        "sk-ant-api03-Xq8wE3rT6yU1iO4pA7sD0fG2hJ5kL9zX3cV6bN8mQ1wE4rT7yU0iO3pA6sD9fG2",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "gsk_8fJ2kLm9QwErTyUiOp3aSdFgHjKlZxCvBnM4qWeRtYuIoP5a",
        "0f9e8d7c6b5a49382716afbecd0135792468ace0", "vdm-proxy-Key-7f3a9c2e41d8b6",
    ])

    package static func run(records: Int, runs: Int, only: String? = nil) throws -> String {
        try requireCharacterDevice("/dev/null")
        let metrics = sampleMetrics()
        let message = HumanLines.completed(metrics)
        let record = LogRecord(
            timestampMicros: WallClock.nowMicros(), level: .info, message: message, logger: "vdm.request",
            instanceID: UUID().uuidString.lowercased(), sequence: 1, correlationID: metrics.requestID,
            payload: RequestCompletedPayload(metrics: metrics))
        let configured = Redactor(secrets: configuredSecrets)
        let encoder = ECSJSONEncoder(redactor: configured)
        let console = ConsoleFormatter(redactor: configured)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        encoder.encode(record, into: &buffer)
        let jsonLine = String(decoding: buffer, as: UTF8.self)
        var results: [BenchResult] = []
        func selected(_ name: String) -> Bool { only.map { name.localizedCaseInsensitiveContains($0) } ?? true }
        func measure(_ name: String, ops: Int, _ body: () -> Void) {
            if selected(name) { results.append(BenchClock.measure(name, runs: runs, ops: ops, body)) }
        }

        measure("ECS JSON encode + redaction (record only)", ops: records) {
            for _ in 0..<records {
                buffer.removeAll(keepingCapacity: true)
                encoder.encode(record, into: &buffer)
            }
        }
        measure("console line format + redaction (record only)", ops: records) {
            for _ in 0..<records {
                buffer.removeAll(keepingCapacity: true)
                console.format(record, into: &buffer)
            }
        }

        // The issue's measure (a): the record through redaction and the JSON sink to /dev/null.
        let jsonSink = try JSONLinesSink(destination: .file("/dev/null"), encoder: encoder)
        measure("ECS JSON record → redaction → JSON sink → /dev/null", ops: records) {
            for _ in 0..<records { jsonSink.write(record) }
            jsonSink.flush()
        }

        // End to end through swift-log: Logger → our handler → record → JSON sink → /dev/null.
        let router = LogRouter(sink: jsonSink, level: .info)
        let logger = Logger(label: "vdm.request") { router.makeHandler(label: $0) }
        let payload = Logger.Metadata.payload(RequestCompletedPayload(metrics: metrics))
        measure("Logger.info → ECS JSON line → /dev/null (end to end)", ops: records) {
            CorrelationContext.$current.withValue(CorrelationContext(id: metrics.requestID)) {
                for _ in 0..<records { logger.info("\(message)", metadata: payload) }
            }
            jsonSink.flush()
        }
        let consoleSink = try ConsoleSink(destination: .file("/dev/null"), formatter: console)
        let consoleRouter = LogRouter(sink: consoleSink, level: .info)
        let consoleLogger = Logger(label: "vdm.request") { consoleRouter.makeHandler(label: $0) }
        measure("Logger.info → console line → /dev/null (end to end)", ops: records) {
            CorrelationContext.$current.withValue(CorrelationContext(id: metrics.requestID)) {
                for _ in 0..<records { consoleLogger.info("\(message)", metadata: payload) }
            }
            consoleSink.flush()
        }

        // Baseline: swift-log's StreamLogHandler writing the same JSON line (one write per line, as stdio).
        let devNull = DevNullStream()
        let baseline = Logger(label: "vdm.request") { StreamLogHandler(label: $0, stream: devNull, metadataProvider: nil) }
        let baselineCount = max(1, records / 4)
        measure("baseline: swift-log StreamLogHandler, same line → /dev/null", ops: baselineCount) {
            for _ in 0..<baselineCount { baseline.info("\(jsonLine)") }
        }

        // The redaction scan alone on key-free text (realistic records, one line at a time as the
        // sinks call it), in MB/s; baseline: NSRegularExpression with the same patterns.
        var changed = 0
        var scans: (scan: BenchResult, regex: BenchResult)?
        if selected("redaction scan") {
            let lines = redactionCorpus(bytes: 8 << 20)
            let bytes = lines.reduce(0) { $0 + $1.utf8.count }
            let redactor = configured
            let scan = BenchClock.measure("redaction", runs: runs, ops: bytes) {
                for line in lines where redactor.redact(line).utf8.count != line.utf8.count { changed += 1 }
            }
            let sample = Array(lines.prefix(1_000))
            let sampleBytes = sample.reduce(0) { $0 + $1.utf8.count }
            let regex = RegexRedactionBaseline()
            let regexResult = BenchClock.measure("regex", runs: max(3, runs / 2), ops: sampleBytes) {
                for line in sample where regex.redact(line) != line { changed += 1 }
            }
            scans = (scan, regexResult)
        }
        return report(results, scans: scans, changed: changed, records: records, runs: runs)
    }

    /// On some sandboxes `/dev/null` has been replaced by a regular file: writes then cost real copies
    /// (and fill the disk), and every "→ /dev/null" number would be wrong.
    static func requireCharacterDevice(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR else {
            throw ValidationError("\(path) is not a character device here (a regular file?), so the numbers would be wrong; "
                + "recreate it: rm -f /dev/null && mknod -m 666 /dev/null c 1 3")
        }
    }

    static func redactionCorpus(bytes: Int) -> [String] {
        var lines: [String] = []
        var size = 0
        var i = 0
        let m = sampleMetrics()
        while size < bytes {
            var metrics = m
            metrics.requestID = UUID().uuidString.lowercased()
            metrics.inputTokens = i
            let record = LogRecord(timestampMicros: WallClock.nowMicros(), level: .info, message: HumanLines.completed(metrics),
                                   logger: "vdm.request", instanceID: "bench", sequence: UInt64(i), correlationID: metrics.requestID,
                                   payload: RequestCompletedPayload(metrics: metrics))
            let line = ECSJSONEncoder().encode(record)
            lines.append(line)
            size += line.utf8.count
            i += 1
        }
        return lines
    }

    static func report(_ results: [BenchResult], scans: (scan: BenchResult, regex: BenchResult)?, changed: Int, records: Int, runs: Int) -> String {
        var out = "vdm bench logging — \(records) records × \(runs) runs, medians (\(BenchClock.buildConfiguration))\n"
        out += "  " + pad("") + "   CPU ns/record   wall ns/record\n"
        for r in results {
            out += "  " + pad(r.name) + String(format: " %12.1f  %15.1f\n", r.cpuMedian, r.median)
        }
        if let json = results.first(where: { $0.name.hasPrefix("Logger.info → ECS") }), let base = results.first(where: { $0.name.hasPrefix("baseline") }) {
            out += String(format: "  end-to-end JSON vs StreamLogHandler baseline: %.2fx the baseline's CPU time (%.2fx wall)\n",
                          json.cpuMedian / base.cpuMedian, json.median / base.median)
        }
        if let (scan, regex) = scans {
            // ns per byte → MB/s (10^6 bytes).
            out += "  " + pad("redaction scan, key-free realistic records") + String(format: " %8.0f MB/s CPU  %8.0f MB/s wall\n", 1e3 / scan.cpuMedian, 1e3 / scan.median)
            out += "  " + pad("baseline: NSRegularExpression, same patterns")
                + String(format: " %8.0f MB/s CPU  (scanner %.0fx faster)\n", 1e3 / regex.cpuMedian, regex.cpuMedian / scan.cpuMedian)
        }
        if changed > 0 { out += "  WARNING: \(changed) key-free lines were changed by redaction\n" }
        return out
    }
}

private func pad(_ s: String) -> String {
    s.count >= 62 ? s : s + String(repeating: " ", count: 62 - s.count)
}

/// A `TextOutputStream` writing each string with one `write(2)` to /dev/null, like stdio's line-flushed output.
struct DevNullStream: TextOutputStream, Sendable {
    private let fd: Int32 = open("/dev/null", O_WRONLY)
    mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { buf in _ = Foundation.write(fd, buf.baseAddress, buf.count) }
    }
}

/// The obvious alternative to a hand-written scanner: one regular expression per pattern.
struct RegexRedactionBaseline {
    let patterns: [NSRegularExpression] = [
        #"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}"#,
        #"(?i)bearer[ \t]+[A-Za-z0-9._~+/-]{16,}=*"#,
        #"(?i)(x-api-key|authorization)["']?\s*[:=]\s*["']?[^\s"',;]{8,}"#,
        #"(?i)["']?api[_-]?key["']?\s*[:=]\s*["']?[^\s"',;]{8,}"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    func redact(_ text: String) -> String {
        var out = text
        for pattern in patterns {
            let range = NSRange(out.startIndex..., in: out)
            out = pattern.stringByReplacingMatches(in: out, range: range, withTemplate: "[redacted]")
        }
        return out
    }
}
