import Foundation
import Journald
import Logging
import LogPipeline
import Synchronization

/// Records for the tests, each run under its own instance id so queries never see another test's.
final class RecordFactory: Sendable {
    let instanceID = "test-" + UUID().uuidString.lowercased()
    private let sequence = Atomic<UInt64>(0)

    func record(
        _ message: String, level: Logger.Level = .info, correlationID: String? = nil,
        payload: (any StructuredPayload)? = nil, metadata: Logger.Metadata = [:], error: (any Error)? = nil,
        originalLevel: Logger.Level? = nil
    ) -> LogRecord {
        LogRecord(
            timestampMicros: WallClock.nowMicros(), level: level, originalLevel: originalLevel, message: message,
            logger: "vdm.test", instanceID: instanceID, sequence: sequence.add(1, ordering: .relaxed).newValue,
            correlationID: correlationID, payload: payload, metadata: metadata, error: error,
            file: "JournaldTests/Test.swift", function: "test()", line: 42)
    }

    var instanceMatch: String { "VDM_INSTANCE_ID=\(instanceID)" }
    var query: JournalQuery { JournalQuery(matches: [JournalFieldName.instanceID: instanceID]) }
}

/// A fresh correlation id; `prefix` pins the first characters (to make ambiguous prefixes).
func correlationID(prefix: String? = nil) -> String {
    let id = UUID().uuidString.lowercased()
    guard let prefix else { return id }
    return prefix + id.dropFirst(prefix.count)
}

func metrics(_ id: String, error: String? = nil) -> RequestMetrics {
    RequestMetrics(
        requestID: id, requestedModel: "openai:gpt-4o", resolvedModel: "gpt-4o", provider: "openai", isStreaming: true,
        startMicros: 1_700_000_000_000_000, durationNanos: 123_456_789, upstreamNanos: 100_000_000,
        firstTokenNanos: 5_000_000, inputTokens: 10, outputTokens: 20, cacheReadTokens: 3, cacheCreationTokens: 4,
        toolUses: 1, toolResults: 1, toolCalls: 2, messageCount: 3, requestBytes: 1234, responseBytes: 567,
        httpStatus: error == nil ? 200 : 502, error: error,
        errorType: error == nil ? nil : "upstream_error", stopReason: "end_turn")
}

/// Collects a payload's keys and values through the public visitor protocol, independently of the
/// journald encoder.
struct PayloadFields: LogFieldVisitor {
    var values: [(key: String, value: String)] = []
    mutating func visit(_ key: FieldKey, int value: Int64) { values.append((key.name, String(value))) }
    mutating func visit(_ key: FieldKey, string value: String) { values.append((key.name, value)) }
    mutating func visit(_ key: FieldKey, bool value: Bool) { values.append((key.name, value ? "true" : "false")) }

    static func of(_ payload: some StructuredPayload) -> [(key: String, value: String)] {
        var visitor = PayloadFields()
        payload.visitFields(&visitor)
        return visitor.values
    }
}

/// What the sink sends for a record: name → value, as the encoder builds it.
func expectedFields(_ record: LogRecord, encoder: JournalEntryEncoder = JournalEntryEncoder()) -> [String: [UInt8]] {
    var encoder = encoder
    encoder.encode(record)
    var result: [String: [UInt8]] = [:]
    for range in encoder.fields {
        let item = encoder.bytes[range]
        guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
        result[String(decoding: item[..<equals], as: UTF8.self)] = Array(item[(equals + 1)...])
    }
    return result
}

/// Fields journald adds itself (`_PID`, …) and journalctl's address fields (`__CURSOR`, …).
func clientFields(_ fields: [String: [UInt8]]) -> [String: [UInt8]] {
    fields.filter { !$0.key.hasPrefix("_") }
}

/// Collects notices (the one-line fallback explanations).
final class NoticeLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { [self] in self.append($0) } }
}

struct SampleError: Error, CustomStringConvertible {
    let description: String
}
