import Foundation
import Logging
import LogPipeline

/// A router writing to memory, and a logger on it, without touching the global LoggingSystem.
struct Captured {
    let sink = MemorySink()
    let router: LogRouter

    init(level: Logger.Level = .info, instanceID: String = "test-instance") {
        router = LogRouter(sink: sink, level: level, instanceID: instanceID)
    }

    func logger(_ label: String = "vdm.test") -> Logger {
        Logger(label: label) { label in router.makeHandler(label: label) }
    }

    var records: [LogRecord] { sink.all }

    func jsonLines(_ encoder: ECSJSONEncoder = ECSJSONEncoder()) -> [String] {
        records.map { encoder.encode($0) }
    }

    func jsonObjects() throws -> [[String: Any]] {
        try jsonLines().map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }
}

func sampleMetrics(_ id: String = "11111111-2222-3333-4444-555555555555", provider: String = "openai", model: String = "gpt-4o",
                   streaming: Bool = false, input: Int = 10, output: Int = 20, cacheRead: Int = 0, cacheCreation: Int = 0,
                   durationMillis: Int64 = 100, error: String? = nil, errorType: String? = nil, start: Int64 = 1_700_000_000_000_000) -> RequestMetrics {
    RequestMetrics(
        requestID: id, requestedModel: "\(provider):\(model)", resolvedModel: model, provider: provider, isStreaming: streaming,
        startMicros: start, durationNanos: durationMillis * 1_000_000, upstreamNanos: durationMillis * 900_000,
        inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, cacheCreationTokens: cacheCreation,
        toolUses: 1, toolResults: 1, toolCalls: 2, messageCount: 3, requestBytes: 1234, responseBytes: 567,
        httpStatus: error == nil ? 200 : 502, error: error, errorType: errorType)
}
