import Foundation
import Logging
import LogPipeline

/// The property tests' generator: SplitMix64 started one step past the seed (as they were written).
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    init(seed: UInt64) { self.init(state: seed &+ 0x9E37_79B9_7F4A_7C15) }
}

/// A temporary directory removed by `cleanup()`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A live tracker logging ECS JSON lines to a real file through a real router and sink; the sink is
/// closed (its thread and file released) when the last reference goes.
final class LoggedTracker: Sendable {
    let tracker: RequestTracker
    let router: LogRouter
    let sink: JSONLinesSink
    let path: String

    init(path: String, instanceID: String, summaryInterval: Int) throws {
        self.path = path
        sink = try JSONLinesSink(destination: .file(path))
        router = LogRouter(sink: sink, level: .info, instanceID: instanceID)
        let r = router
        let logger = Logger(label: "vdm.request") { r.makeHandler(label: $0) }
        tracker = RequestTracker(logger: logger, configuration: .init(summaryInterval: summaryInterval))
    }

    /// An ordinary (non-tracker) log line, e.g. a library's, with or without a request bound.
    func plainLine(_ message: String, requestID: String?) {
        let r = router
        let logger = Logger(label: "Hummingbird") { r.makeHandler(label: $0) }
        if let requestID {
            CorrelationContext.$current.withValue(CorrelationContext(id: requestID)) { logger.info("\(message)") }
        } else {
            logger.info("\(message)")
        }
    }

    func flush() { sink.flush() }

    deinit { sink.close() }
}

enum Workload {
    static let providers = ["openai", "anthropic", "open:router", "pröxy", "模型云", ""]
    static let models = ["gpt-4o", "gpt-4o-mini", "kwaipilot/kat-coder-pro:free", "claude-3-5-sonnet", "modèle \"quoted\"",
                         "tab\there", "line\nbreak", "ünï:cödé", "1e5", "true", ""]
    static let errorTypes = ["upstream_5xx", "upstream_timeout", "invalid_request", "client_disconnected", "ünknown type"]

    static func metrics(_ id: String, _ rng: inout SeededRandom) -> RequestMetrics {
        let provider = providers.randomElement(using: &rng) ?? ""
        let model = models.randomElement(using: &rng) ?? ""
        let resolved = provider.isEmpty || Int.random(in: 0..<8, using: &rng) == 0 ? "" : model
        let requested = Bool.random(using: &rng) && !provider.isEmpty ? "\(provider):\(model)" : model
        return RequestMetrics(
            requestID: id, requestedModel: requested, resolvedModel: resolved, provider: provider,
            isStreaming: Bool.random(using: &rng), startMicros: 1_700_000_000_000_000 + Int64.random(in: 0..<90_000_000_000_000, using: &rng),
            messageCount: Int.random(in: 1...40, using: &rng), requestBytes: Int.random(in: 10...200_000, using: &rng))
    }

    static func finish(_ m: RequestMetrics, _ rng: inout SeededRandom) -> RequestMetrics {
        var f = m
        f.durationNanos = Int64.random(in: 0...120_000_000_000, using: &rng)
        f.upstreamNanos = Int64.random(in: 0...f.durationNanos, using: &rng)
        f.firstTokenNanos = f.isStreaming ? Int64.random(in: 0...f.durationNanos, using: &rng) : 0
        f.inputTokens = Int.random(in: 0...2_000_000, using: &rng)
        f.outputTokens = Int.random(in: 0...100_000, using: &rng)
        f.cacheReadTokens = Int.random(in: 0...3, using: &rng) == 0 ? Int.random(in: 0...1_000_000, using: &rng) : 0
        f.cacheCreationTokens = Int.random(in: 0...5, using: &rng) == 0 ? Int.random(in: 0...50_000, using: &rng) : 0
        f.toolUses = Int.random(in: 0...9, using: &rng)
        f.toolResults = Int.random(in: 0...9, using: &rng)
        f.toolCalls = Int.random(in: 0...4, using: &rng)
        f.responseBytes = Int.random(in: 0...500_000, using: &rng)
        f.stopReason = ["end_turn", "tool_use", "max_tokens", nil].randomElement(using: &rng) ?? nil
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            f.errorType = errorTypes.randomElement(using: &rng)
            f.error = "upstream said: \"no\"\n\u{1b}[31m é"
            f.httpStatus = 502
        case 1:
            f.error = "an error without a type"
            f.httpStatus = 500
        default:
            f.httpStatus = 200
        }
        return f
    }

    /// Runs `requests` random requests (several in flight at once, ending out of order) and leaves
    /// `leaveOpen` of them in flight. Returns the ids left open.
    @discardableResult
    static func run(_ logged: LoggedTracker, requests: Int, leaveOpen: Int = 0, seed: UInt64, idPrefix: String = "") async -> [String] {
        var rng = SeededRandom(seed: seed)
        var inFlight: [RequestMetrics] = []
        var started = 0
        while started < requests || inFlight.count > leaveOpen {
            if started < requests && (inFlight.isEmpty || Int.random(in: 0..<3, using: &rng) > 0) {
                let id = idPrefix + String(format: "%08x-%04x-4000-8000-%012llx", UInt32(truncatingIfNeeded: rng.next()), started & 0xFFFF, rng.next() & 0xFFFF_FFFF_FFFF)
                let m = metrics(id, &rng)
                await logged.tracker.start(m, toolsDefined: Int.random(in: 0...5, using: &rng), maxTokens: 4096)
                if Bool.random(using: &rng) { logged.plainLine("request body parsed \(started)", requestID: id) }
                inFlight.append(m)
                started += 1
            } else {
                let k = Int.random(in: 0..<inFlight.count, using: &rng)
                let m = inFlight.remove(at: k)
                await logged.tracker.end(finish(m, &rng))
                if Int.random(in: 0..<4, using: &rng) == 0 { logged.plainLine("response sent", requestID: m.requestID) }
            }
            if Int.random(in: 0..<20, using: &rng) == 0 { logged.plainLine("health check", requestID: nil) }
        }
        logged.flush()
        return inFlight.map(\.requestID)
    }
}

func lines(of path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
}

func write(_ lines: [String], to path: String) throws {
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

/// Runs a program and returns its stdout (tests only; the reader itself never spawns anything).
@discardableResult
func runProcess(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    let input = Pipe()
    if stdin != nil { process.standardInput = input }
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}
