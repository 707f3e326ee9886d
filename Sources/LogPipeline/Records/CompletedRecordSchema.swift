/// The `request.completed` record's fields, written once: for each, its `RequestMetrics` name, its
/// JSON key (the `FieldName` constant) and the key older records used (`legacyKey`), its journald field, its type, its bound (from `RecordBounds`),
/// when the writer includes it and what the reader does when it is absent.
///
/// The writer (`RequestCompletedPayload.visitFields`) and the reader (`RecordParser.completedMetrics`)
/// stay hand-written, for speed, and `RecordBounds.violation` walks this table. What keeps them and
/// the rest (journald mapping, docs/log-schema.md, the Elasticsearch template, the lnav format) in
/// step is `CompletedRecordSchemaTests`: adding a field is one row here, and the test names every
/// place that does not have it yet.
public enum CompletedRecordSchema {
    public typealias Field = CompletedRecordField

    /// In the order the writer emits them.
    public static let fields: [Field] = [
        Field("requestedModel", FieldName.requestedModel, "VDM_REQUESTED_MODEL", .string({ $0.requestedModel }),
              bound: .maxBytes(RecordBounds.maxModelBytes), read: .required),
        Field("provider", FieldName.provider, "VDM_GEN_AI_SYSTEM", .string({ $0.provider }),
              bound: .maxBytes(RecordBounds.maxModelBytes), read: .required, legacyKey: LegacyFieldName.provider),
        // A constant; not read back (schema 1 records lack it).
        Field("operation", FieldName.operationName, "VDM_GEN_AI_OPERATION_NAME", .string({ _ in GenAIOperation.chat }),
              bound: .none, read: .ignored),
        Field("resolvedModel", FieldName.resolvedModel, "VDM_GEN_AI_REQUEST_MODEL", .string({ $0.resolvedModel }),
              bound: .maxBytes(RecordBounds.maxModelBytes), read: .required),
        Field("isStreaming", FieldName.streaming, "VDM_STREAMING", .boolean({ $0.isStreaming }), bound: .none, read: .required),
        Field("isError", FieldName.outcome, "VDM_EVENT_OUTCOME", .string({ $0.isError ? "failure" : "success" }),
              bound: .oneOf(["success", "failure"]), read: .required),
        Field("httpStatus", FieldName.httpStatus, "VDM_HTTP_RESPONSE_STATUS_CODE", .integer({ Int64($0.httpStatus) }),
              bound: .range(RecordBounds.httpStatus), read: .zeroWhenAbsent),
        Field("inputTokens", FieldName.inputTokens, "VDM_USAGE_INPUT_TOKENS", .integer({ Int64($0.inputTokens) }),
              bound: .range(RecordBounds.tokens), read: .required),
        Field("outputTokens", FieldName.outputTokens, "VDM_GEN_AI_USAGE_OUTPUT_TOKENS", .integer({ Int64($0.outputTokens) }),
              bound: .range(RecordBounds.tokens), read: .required),
        Field("cacheReadTokens", FieldName.cacheReadTokens, "VDM_USAGE_CACHE_READ_INPUT_TOKENS",
              .integer({ Int64($0.cacheReadTokens) }), bound: .range(RecordBounds.tokens), read: .required,
              legacyKey: LegacyFieldName.cacheReadTokens),
        Field("cacheCreationTokens", FieldName.cacheCreationTokens, "VDM_USAGE_CACHE_CREATION_INPUT_TOKENS",
              .integer({ Int64($0.cacheCreationTokens) }), bound: .range(RecordBounds.tokens), read: .required,
              legacyKey: LegacyFieldName.cacheCreationTokens),
        Field("totalInputTokens", FieldName.totalInputTokens, "VDM_GEN_AI_USAGE_INPUT_TOKENS",
              .integer({ Int64($0.inputTokens) &+ Int64($0.cacheReadTokens) &+ Int64($0.cacheCreationTokens) }),
              bound: .derived, read: .ignored, written: .whenTrueSum),
        Field("toolUses", FieldName.toolUses, "VDM_TOOL_USES", .integer({ Int64($0.toolUses) }),
              bound: .range(RecordBounds.count), read: .required),
        Field("toolResults", FieldName.toolResults, "VDM_TOOL_RESULTS", .integer({ Int64($0.toolResults) }),
              bound: .range(RecordBounds.count), read: .required),
        Field("toolCalls", FieldName.toolCalls, "VDM_TOOL_CALLS", .integer({ Int64($0.toolCalls) }),
              bound: .range(RecordBounds.count), read: .required),
        Field("messageCount", FieldName.messageCount, "VDM_MESSAGE_COUNT", .integer({ Int64($0.messageCount) }),
              bound: .range(RecordBounds.count), read: .zeroWhenAbsent),
        Field("requestBytes", FieldName.requestBytes, "VDM_HTTP_REQUEST_BODY_BYTES", .integer({ Int64($0.requestBytes) }),
              bound: .range(RecordBounds.bytes), read: .zeroWhenAbsent),
        Field("responseBytes", FieldName.responseBytes, "VDM_HTTP_RESPONSE_BODY_BYTES", .integer({ Int64($0.responseBytes) }),
              bound: .range(RecordBounds.bytes), read: .zeroWhenAbsent),
        Field("startMicros", FieldName.startMicros, "VDM_START_US", .integer({ $0.startMicros }),
              bound: .range(RecordBounds.startMicros), read: .required),
        Field("durationNanos", FieldName.durationNanos, "VDM_EVENT_DURATION", .integer({ $0.durationNanos }),
              bound: .range(RecordBounds.durationNanos), read: .required),
        Field("upstreamNanos", FieldName.upstreamNanos, "VDM_UPSTREAM_DURATION_NS", .integer({ $0.upstreamNanos }),
              bound: .range(RecordBounds.durationNanos), read: .zeroWhenAbsent),
        Field("firstTokenNanos", FieldName.firstTokenNanos, "VDM_FIRST_TOKEN_NS", .integer({ $0.firstTokenNanos }),
              bound: .range(RecordBounds.durationNanos), read: .zeroWhenAbsent),
        Field("stopReason", FieldName.stopReason, "VDM_STOP_REASON", .string({ $0.stopReason }),
              bound: .maxBytes(RecordBounds.maxStopReasonBytes), read: .nilWhenAbsent, written: .whenSet),
        Field("clientRequestID", FieldName.clientRequestID, "VDM_CLIENT_REQUEST_ID", .string({ $0.clientRequestID }),
              bound: .clippedTo(RecordBounds.maxClientRequestIDBytes), read: .nilWhenAbsent, written: .whenSet),
        Field("errorType", FieldName.errorType, "VDM_ERROR_TYPE", .string({ $0.errorType }),
              bound: .maxBytes(RecordBounds.maxErrorTypeBytes), read: .nilWhenAbsent, written: .onFailure),
        Field("error", FieldName.errorMessage, "VDM_ERROR_MESSAGE", .string({ $0.error }),
              bound: .maxBytes(RecordBounds.maxErrorMessageBytes), read: .emptyWhenAbsent, written: .onFailure),
    ]

    /// The row of a JSON key, if it is a completed-record field.
    public static func field(_ key: FieldKey) -> Field? { fields.first { $0.key == key } }

    /// The `vdm.schema` 1 spelling of the row whose key is `key`, if it had another one.
    public static func legacyKey(of key: FieldKey) -> String? { field(key)?.legacyKey }
}

/// One row of `CompletedRecordSchema`.
public struct CompletedRecordField: Sendable {
    /// The JSON type, and how to read the value from `RequestMetrics`.
    public enum Value: Sendable {
        case string(@Sendable (RequestMetrics) -> String?)
        case integer(@Sendable (RequestMetrics) -> Int64)
        case boolean(@Sendable (RequestMetrics) -> Bool)
    }

    /// The documented bound (docs/log-schema.md, "Bounds"); `range` and `maxBytes` are refused when
    /// exceeded (`RecordBounds.violation`), `clippedTo` is cut on the way in and never refused.
    public enum Bound: Sendable, Equatable {
        case range(ClosedRange<Int64>)
        case maxBytes(Int)
        case clippedTo(Int)
        case oneOf([String])
        /// Computed from other fields; its parts carry the bounds.
        case derived
        case none
    }

    /// When the writer includes the field.
    public enum Written: Sendable, Equatable {
        case always
        /// Only when the optional value is set.
        case whenSet
        /// Only in a failure record (`event.outcome` = failure).
        case onFailure
        /// Only when the sum does not overflow (in-bound parts never do).
        case whenTrueSum
    }

    /// What the reader does when the field is absent (a field written `onFailure` is read only
    /// when `event.outcome` is failure).
    public enum Read: Sendable, Equatable {
        /// The record is refused (a field problem naming the key).
        case required
        /// 0 (older writers did not always write it).
        case zeroWhenAbsent
        /// nil.
        case nilWhenAbsent
        /// "" (a failure always has a message, possibly empty).
        case emptyWhenAbsent
        /// Derived on the writer's side; never read back.
        case ignored
    }

    /// The `RequestMetrics` property (or what the value is computed from).
    public let name: String
    public let key: FieldKey
    /// The journald field (`JournalFieldName.forField(key)` must give it).
    public let journaldField: String
    public let value: Value
    public let bound: Bound
    public let read: Read
    public let written: Written
    /// The key `vdm.schema` 1 records (ECS 8.11 names) used, when it differs: the reader accepts both.
    public let legacyKey: String?

    init(_ name: String, _ key: FieldKey, _ journaldField: String, _ value: Value, bound: Bound, read: Read,
         written: Written = .always, legacyKey: String? = nil) {
        self.name = name
        self.key = key
        self.journaldField = journaldField
        self.value = value
        self.bound = bound
        self.read = read
        self.written = written
        self.legacyKey = legacyKey
    }

    /// `string`, `integer` or `boolean`: the JSON type.
    public var typeName: String {
        switch value {
        case .string: "string"
        case .integer: "integer"
        case .boolean: "boolean"
        }
    }

    /// This field's value in `m` outside its bound, if it is.
    public func violation(in m: RequestMetrics) -> BoundViolation? {
        // One switch at a time: a `(bound, value)` tuple copied both (and retained their payloads).
        switch bound {
        case .range(let range):
            guard case .integer(let read) = value else { return nil }
            let v = read(m)
            return range.contains(v) ? nil : BoundViolation(field: key.name, value: v, bound: range)
        case .maxBytes(let limit):
            guard case .string(let read) = value, let text = read(m), text.utf8.count > limit else { return nil }
            return BoundViolation(field: key.name, detail: "\(text.utf8.count) bytes is longer than \(limit)")
        case .clippedTo, .oneOf, .derived, .none:
            return nil
        }
    }
}
