/// `request.started`: what the proxy knew when a request arrived.
public struct RequestStartedPayload: StructuredPayload {
    public var metrics: RequestMetrics
    public var toolsDefined: Int
    public var maxTokens: Int

    public init(metrics: RequestMetrics, toolsDefined: Int, maxTokens: Int) {
        self.metrics = metrics
        self.toolsDefined = toolsDefined
        self.maxTokens = maxTokens
    }

    public var action: String { EventAction.requestStarted }

    public func visitFields<V: LogFieldVisitor>(_ v: inout V) {
        let m = metrics
        v.visit(FieldName.requestedModel, string: m.requestedModel)
        v.visit(FieldName.provider, string: m.provider)
        v.visit(FieldName.operationName, string: GenAIOperation.chat)
        v.visit(FieldName.resolvedModel, string: m.resolvedModel)
        v.visit(FieldName.streaming, bool: m.isStreaming)
        v.visit(FieldName.messageCount, int: Int64(m.messageCount))
        v.visit(FieldName.toolsDefined, int: Int64(toolsDefined))
        v.visit(FieldName.toolUses, int: Int64(m.toolUses))
        v.visit(FieldName.toolResults, int: Int64(m.toolResults))
        v.visit(FieldName.maxTokens, int: Int64(maxTokens))
        v.visit(FieldName.requestBytes, int: Int64(m.requestBytes))
        v.visit(FieldName.startMicros, int: m.startMicros)
        if let client = m.clientRequestID { v.visit(FieldName.clientRequestID, string: client) }
    }
}

/// `request.completed`: every field the aggregator reads, so replay rebuilds the live numbers exactly.
public struct RequestCompletedPayload: StructuredPayload {
    public var metrics: RequestMetrics

    public init(metrics: RequestMetrics) { self.metrics = metrics }

    public var action: String { EventAction.requestCompleted }

    public func visitFields<V: LogFieldVisitor>(_ v: inout V) {
        let m = metrics
        v.visit(FieldName.requestedModel, string: m.requestedModel)
        v.visit(FieldName.provider, string: m.provider)
        v.visit(FieldName.operationName, string: GenAIOperation.chat)
        v.visit(FieldName.resolvedModel, string: m.resolvedModel)
        v.visit(FieldName.streaming, bool: m.isStreaming)
        v.visit(FieldName.outcome, string: m.isError ? "failure" : "success")
        v.visit(FieldName.httpStatus, int: Int64(m.httpStatus))
        v.visit(FieldName.inputTokens, int: Int64(m.inputTokens))
        v.visit(FieldName.outputTokens, int: Int64(m.outputTokens))
        v.visit(FieldName.cacheReadTokens, int: Int64(m.cacheReadTokens))
        v.visit(FieldName.cacheCreationTokens, int: Int64(m.cacheCreationTokens))
        // Derived, so written only when it is a true sum (in-bounds values always are).
        let (partial, o1) = m.inputTokens.addingReportingOverflow(m.cacheReadTokens)
        let (total, o2) = partial.addingReportingOverflow(m.cacheCreationTokens)
        if !o1, !o2 { v.visit(FieldName.totalInputTokens, int: Int64(total)) }
        v.visit(FieldName.toolUses, int: Int64(m.toolUses))
        v.visit(FieldName.toolResults, int: Int64(m.toolResults))
        v.visit(FieldName.toolCalls, int: Int64(m.toolCalls))
        v.visit(FieldName.messageCount, int: Int64(m.messageCount))
        v.visit(FieldName.requestBytes, int: Int64(m.requestBytes))
        v.visit(FieldName.responseBytes, int: Int64(m.responseBytes))
        v.visit(FieldName.startMicros, int: m.startMicros)
        v.visit(FieldName.durationNanos, int: m.durationNanos)
        v.visit(FieldName.upstreamNanos, int: m.upstreamNanos)
        v.visit(FieldName.firstTokenNanos, int: m.firstTokenNanos)
        if let stop = m.stopReason { v.visit(FieldName.stopReason, string: stop) }
        if let client = m.clientRequestID { v.visit(FieldName.clientRequestID, string: client) }
        if m.isError {
            v.visit(FieldName.errorType, string: m.errorType ?? "unknown")
            v.visit(FieldName.errorMessage, string: m.error ?? "")
        }
    }
}

/// `summary.checkpoint`: cumulative totals of this process's completed requests, logged every
/// `LOG_SUMMARY_INTERVAL` completions. Replay recomputes them from the completed records with a lower
/// `event.sequence` and so proves a log complete, or names the gap.
public struct SummaryCheckpointPayload: StructuredPayload {
    public var interval: Int
    public var totals: MetricCounters

    public init(interval: Int, totals: MetricCounters) {
        self.interval = interval
        self.totals = totals
    }

    public var action: String { EventAction.summaryCheckpoint }

    public func visitFields<V: LogFieldVisitor>(_ v: inout V) {
        v.visit(FieldName.checkpointInterval, int: Int64(interval))
        v.visit(FieldName.checkpointRequests, int: Int64(totals.requests))
        v.visit(FieldName.checkpointErrors, int: Int64(totals.errors))
        v.visit(FieldName.checkpointInputTokens, int: Int64(totals.inputTokens))
        v.visit(FieldName.checkpointOutputTokens, int: Int64(totals.outputTokens))
        v.visit(FieldName.checkpointCacheReadTokens, int: Int64(totals.cacheReadTokens))
        v.visit(FieldName.checkpointCacheCreationTokens, int: Int64(totals.cacheCreationTokens))
        v.visit(FieldName.checkpointToolUses, int: Int64(totals.toolUses))
        v.visit(FieldName.checkpointToolResults, int: Int64(totals.toolResults))
        v.visit(FieldName.checkpointToolCalls, int: Int64(totals.toolCalls))
        v.visit(FieldName.checkpointDurationNanos, int: totals.durationNanos)
    }
}

/// A record that only names its event kind (e.g. the `MODELS |` and `ERRORS |` summary lines).
public struct EventMarkerPayload: StructuredPayload {
    public let action: String
    public init(action: String) { self.action = action }
    public func visitFields<V: LogFieldVisitor>(_ v: inout V) {}
}

/// `gen_ai.operation.name` values: vdm serves one operation.
public enum GenAIOperation {
    public static let chat = "chat"
}

/// `event.action` values (documented in docs/log-schema.md).
public enum EventAction {
    public static let requestStarted = "request.started"
    public static let requestCompleted = "request.completed"
    public static let summaryCheckpoint = "summary.checkpoint"
    public static let summaryModels = "summary.models"
    public static let summaryErrors = "summary.errors"
}

/// Field names of the structured records (documented in docs/log-schema.md): ECS 9.4 fields (its
/// `gen_ai.*` set included) where ECS has one of the right meaning and type, `vdm.*` otherwise.
/// `ECSFieldTableTests` checks every one against Elastic's own table.
public enum FieldName {
    /// The envelope's process instance (ECS `service.node.name`: unique per running process).
    public static let instanceID: FieldKey = "service.node.name"
    /// The level the caller used, when the downgrade filter relabelled the record (no ECS field).
    public static let originalLevel: FieldKey = "vdm.original_level"
    /// W3C trace context of the request (ECS `trace.id`, `span.id`: vdm's own span).
    public static let traceID: FieldKey = "trace.id"
    public static let spanID: FieldKey = "span.id"
    public static let requestedModel: FieldKey = "vdm.requested_model"
    /// The configured provider's name (ECS 9.4 `gen_ai.system`).
    public static let provider: FieldKey = "gen_ai.system"
    /// Always `chat` (the Messages API); ECS 9.4 `gen_ai.operation.name`.
    public static let operationName: FieldKey = "gen_ai.operation.name"
    public static let resolvedModel: FieldKey = "gen_ai.request.model"
    public static let streaming: FieldKey = "vdm.streaming"
    public static let outcome: FieldKey = "event.outcome"
    public static let httpStatus: FieldKey = "http.response.status_code"
    /// Anthropic semantics: excludes cache reads and writes.
    public static let inputTokens: FieldKey = "vdm.usage.input_tokens"
    public static let outputTokens: FieldKey = "gen_ai.usage.output_tokens"
    /// No ECS field (ECS 9.4 has only `gen_ai.usage.input_tokens` and `output_tokens`).
    public static let cacheReadTokens: FieldKey = "vdm.usage.cache_read_input_tokens"
    public static let cacheCreationTokens: FieldKey = "vdm.usage.cache_creation_input_tokens"
    /// OTel semantics: input + cache read + cache creation (derived; not read back).
    public static let totalInputTokens: FieldKey = "gen_ai.usage.input_tokens"
    public static let toolUses: FieldKey = "vdm.tool_uses"
    public static let toolResults: FieldKey = "vdm.tool_results"
    public static let toolCalls: FieldKey = "vdm.tool_calls"
    public static let toolsDefined: FieldKey = "vdm.tools_defined"
    public static let messageCount: FieldKey = "vdm.message_count"
    public static let maxTokens: FieldKey = "gen_ai.request.max_tokens"
    public static let requestBytes: FieldKey = "http.request.body.bytes"
    public static let responseBytes: FieldKey = "http.response.body.bytes"
    public static let startMicros: FieldKey = "vdm.start_us"
    public static let durationNanos: FieldKey = "event.duration"
    public static let upstreamNanos: FieldKey = "vdm.upstream_duration_ns"
    public static let firstTokenNanos: FieldKey = "vdm.first_token_ns"
    public static let stopReason: FieldKey = "vdm.stop_reason"
    /// The client's own `X-Request-ID` (not unique; `http.request.id` is vdm's id).
    public static let clientRequestID: FieldKey = "vdm.client_request_id"
    public static let errorType: FieldKey = "error.type"
    public static let errorMessage: FieldKey = "error.message"
    public static let checkpointInterval: FieldKey = "vdm.checkpoint.interval"
    public static let checkpointRequests: FieldKey = "vdm.checkpoint.requests"
    public static let checkpointErrors: FieldKey = "vdm.checkpoint.errors"
    public static let checkpointInputTokens: FieldKey = "vdm.checkpoint.input_tokens"
    public static let checkpointOutputTokens: FieldKey = "vdm.checkpoint.output_tokens"
    public static let checkpointCacheReadTokens: FieldKey = "vdm.checkpoint.cache_read_tokens"
    public static let checkpointCacheCreationTokens: FieldKey = "vdm.checkpoint.cache_creation_tokens"
    public static let checkpointToolUses: FieldKey = "vdm.checkpoint.tool_uses"
    public static let checkpointToolResults: FieldKey = "vdm.checkpoint.tool_results"
    public static let checkpointToolCalls: FieldKey = "vdm.checkpoint.tool_calls"
    public static let checkpointDurationNanos: FieldKey = "vdm.checkpoint.duration_ns"
}

/// The names `vdm.schema` 1 records used (ECS 8.11, before the move to ECS 9.4), for the fields whose
/// name changed. Writers never use them; the reader accepts them for ever (a log is forever): the
/// `legacyKey` of `RecordField` and of `CompletedRecordSchema` rows.
public enum LegacyFieldName {
    public static let instanceID = "service.instance.id"
    public static let originalLevel = "log.original_level"
    public static let provider = "gen_ai.provider.name"
    public static let cacheReadTokens = "gen_ai.usage.cache_read.input_tokens"
    public static let cacheCreationTokens = "gen_ai.usage.cache_creation.input_tokens"
    public static let maxTokens = "vdm.max_tokens"
}
