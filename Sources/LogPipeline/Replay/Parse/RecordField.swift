#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys the reader looks at (docs/log-schema.md). Any other key is validated and skipped. A
/// field whose name changed (`vdm.schema` 1 → 2) is found under either spelling (`legacyKey`).
public enum RecordField: Int, CaseIterable, Sendable {
    // envelope
    case timestamp, level, message, logger, instanceID, sequence, requestID, schema, action
    // request.started / request.completed
    case requestedModel, provider, resolvedModel, streaming, outcome, httpStatus
    case inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens
    case toolUses, toolResults, toolCalls, toolsDefined, messageCount, maxTokens
    case requestBytes, responseBytes, startMicros, durationNanos, upstreamNanos, firstTokenNanos
    case stopReason, errorType, errorMessage, clientRequestID
    // summary.checkpoint
    case checkpointInterval, checkpointRequests, checkpointErrors, checkpointInputTokens, checkpointOutputTokens
    case checkpointCacheReadTokens, checkpointCacheCreationTokens, checkpointToolUses, checkpointToolResults
    case checkpointToolCalls, checkpointDurationNanos
    // journalctl -o json entries
    case journalPayload, journalCursor, journalRealtime

    public var key: String {
        switch self {
        case .timestamp: "@timestamp"
        case .level: "log.level"
        case .message: "message"
        case .logger: "log.logger"
        case .instanceID: FieldName.instanceID.name
        case .sequence: "event.sequence"
        case .requestID: "http.request.id"
        case .schema: "vdm.schema"
        case .action: "event.action"
        case .requestedModel: FieldName.requestedModel.name
        case .provider: FieldName.provider.name
        case .resolvedModel: FieldName.resolvedModel.name
        case .streaming: FieldName.streaming.name
        case .outcome: FieldName.outcome.name
        case .httpStatus: FieldName.httpStatus.name
        // Anthropic semantics; `gen_ai.usage.input_tokens` (input + cache) is deliberately not read.
        case .inputTokens: FieldName.inputTokens.name
        case .outputTokens: FieldName.outputTokens.name
        case .cacheReadTokens: FieldName.cacheReadTokens.name
        case .cacheCreationTokens: FieldName.cacheCreationTokens.name
        case .toolUses: FieldName.toolUses.name
        case .toolResults: FieldName.toolResults.name
        case .toolCalls: FieldName.toolCalls.name
        case .toolsDefined: FieldName.toolsDefined.name
        case .messageCount: FieldName.messageCount.name
        case .maxTokens: FieldName.maxTokens.name
        case .requestBytes: FieldName.requestBytes.name
        case .responseBytes: FieldName.responseBytes.name
        case .startMicros: FieldName.startMicros.name
        case .durationNanos: FieldName.durationNanos.name
        case .upstreamNanos: FieldName.upstreamNanos.name
        case .firstTokenNanos: FieldName.firstTokenNanos.name
        case .stopReason: FieldName.stopReason.name
        case .clientRequestID: FieldName.clientRequestID.name
        case .errorType: FieldName.errorType.name
        case .errorMessage: FieldName.errorMessage.name
        case .checkpointInterval: FieldName.checkpointInterval.name
        case .checkpointRequests: FieldName.checkpointRequests.name
        case .checkpointErrors: FieldName.checkpointErrors.name
        case .checkpointInputTokens: FieldName.checkpointInputTokens.name
        case .checkpointOutputTokens: FieldName.checkpointOutputTokens.name
        case .checkpointCacheReadTokens: FieldName.checkpointCacheReadTokens.name
        case .checkpointCacheCreationTokens: FieldName.checkpointCacheCreationTokens.name
        case .checkpointToolUses: FieldName.checkpointToolUses.name
        case .checkpointToolResults: FieldName.checkpointToolResults.name
        case .checkpointToolCalls: FieldName.checkpointToolCalls.name
        case .checkpointDurationNanos: FieldName.checkpointDurationNanos.name
        case .journalPayload: JournalField.payload
        case .journalCursor: "__CURSOR"
        case .journalRealtime: "__REALTIME_TIMESTAMP"
        }
    }

    /// The `vdm.schema` 1 spelling (ECS 8.11 names), when it differs: for a completed-record field
    /// the schema table's `legacyKey`, so the table stays the one place that names it.
    public var legacyKey: String? {
        switch self {
        case .instanceID: LegacyFieldName.instanceID
        case .maxTokens: LegacyFieldName.maxTokens
        default: CompletedRecordSchema.fields.first { $0.key.name == key }?.legacyKey
        }
    }
}

/// journald field names the reader knows.
public enum JournalField {
    /// The journald sink stores each record's full ECS JSON line in this field.
    public static let payload = "VDM_ECS_JSON"
}

/// Key bytes → field, by length bucket then byte comparison, with a guess of the next key learnt
/// from the previous line (our own records always use the same order, so the guess nearly always hits).
struct RecordKeyTable {
    private var bytes: [UInt8] = []
    /// (offset into `bytes`, length, field), grouped by length.
    private var entries: [(offset: Int, length: Int, field: Int)] = []
    /// Each field's current key (its legacy key, if any, is only in `entries`).
    private var primary: [(offset: Int, length: Int)] = []
    private var bucketStart: [Int]
    private var bucketEnd: [Int]
    static let maxKeyLength = 64

    init() {
        bucketStart = Array(repeating: 0, count: Self.maxKeyLength + 1)
        bucketEnd = Array(repeating: 0, count: Self.maxKeyLength + 1)
        let spellings = RecordField.allCases.flatMap { f in [(f, f.key, true)] + (f.legacyKey.map { [(f, $0, false)] } ?? []) }
        primary = Array(repeating: (0, 0), count: RecordField.allCases.count)
        for (f, key, isPrimary) in spellings.sorted(by: { $0.1.utf8.count < $1.1.utf8.count }) {
            let k = Array(key.utf8)
            if isPrimary { primary[f.rawValue] = (bytes.count, k.count) }
            entries.append((bytes.count, k.count, f.rawValue))
            bytes.append(contentsOf: k)
        }
        for length in 0...Self.maxKeyLength {
            bucketStart[length] = entries.firstIndex { $0.length == length } ?? 0
            bucketEnd[length] = (entries.lastIndex { $0.length == length }).map { $0 + 1 } ?? 0
        }
    }

    /// Where the current key of `field` lies in `bytes`.
    func offset(of field: Int) -> (offset: Int, length: Int)? {
        primary.indices.contains(field) ? primary[field] : nil
    }

    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>, _ length: Int, offset: Int, keyLength: Int) -> Bool {
        guard keyLength == length else { return false }
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            return Self.equal(base + offset, p, length)
        }
    }

    /// Byte comparison for short keys, eight at a time: cheaper than a call to memcmp.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var i = 0
        while i &+ 8 <= n {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i &+= 1
        }
        return true
    }

    /// The field whose key is `p[0..<length]`, or -1.
    func lookup(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int {
        guard length <= Self.maxKeyLength else { return -1 }
        let lo = bucketStart[length], hi = bucketEnd[length]
        guard lo < hi else { return -1 }
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return -1 }
            for e in lo..<hi where Self.equal(base + entries[e].offset, p, length) {
                return entries[e].field
            }
            return -1
        }
    }
}
