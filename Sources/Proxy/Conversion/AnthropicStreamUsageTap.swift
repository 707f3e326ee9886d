/// Watches an Anthropic-format stream relayed unchanged (passthrough) and collects what metrics and logs
/// need. It never changes or produces events.
///
/// - usage: `message_start.message.usage` gives input, cache read, cache creation and the first output
///   count; `message_delta.usage` gives the cumulative `output_tokens` (and input/cache counters when the
///   upstream repeats them there; the latest value wins);
/// - `toolUses`: `content_block_start` events whose block is a `tool_use`;
/// - `error` events: their `error.type` and `error.message`;
/// - `message_stop` seen, `stop_reason` from `message_delta`;
/// - `outputTextChars` (text, tool input JSON and thinking deltas) and `firstContentSeen` for live estimates and
///   time to first token.
/// Payloads that are not JSON are counted in `malformedEvents` and otherwise ignored.
package struct AnthropicStreamUsageTap: Sendable {
    package private(set) var usage: TokenUsage = .zero
    package private(set) var toolUses = 0
    package private(set) var sawMessageStart = false
    package private(set) var sawMessageStop = false
    package private(set) var stopReason: String?
    /// `message_start.message.model`: the model the upstream says it used.
    package private(set) var upstreamModel: String?
    package private(set) var errorType: String?
    package private(set) var errorMessage: String?
    package private(set) var malformedEvents = 0
    package private(set) var outputTextChars = 0
    package private(set) var firstContentSeen = false

    /// The stream ended properly: `message_stop` and no `error` event.
    package var isComplete: Bool { sawMessageStop && errorType == nil }

    package init() {}

    /// Observes one relayed event.
    package mutating func observe(_ event: SSEEvent) {
        guard let payload = try? JSONValue.parse(event.data.utf8) else {
            malformedEvents += 1
            return
        }
        observe(name: event.event, payload: payload)
    }

    /// Observes one event whose payload is already parsed. The payload's `type` wins over the event name.
    package mutating func observe(name: String?, payload: JSONValue) {
        switch payload["type"]?.string ?? name {
        case "message_start"?:
            sawMessageStart = true
            let message = payload["message"]
            upstreamModel = message?["model"]?.string ?? upstreamModel
            if let usageValue = message?["usage"] { apply(usageValue) }
        case "message_delta"?:
            if let usageValue = payload["usage"] { apply(usageValue) }
            if let reason = payload["delta"]?["stop_reason"]?.string { stopReason = reason }
        case "content_block_start"?:
            if payload["content_block"]?["type"]?.string == "tool_use" {
                toolUses += 1
                firstContentSeen = true
            }
        case "content_block_delta"?:
            let delta = payload["delta"]
            let text = delta?["text"]?.string ?? delta?["partial_json"]?.string ?? delta?["thinking"]?.string ?? ""
            if !text.isEmpty {
                outputTextChars += text.unicodeScalars.count
                firstContentSeen = true
            }
        case "message_stop"?:
            sawMessageStop = true
        case "error"?:
            let error = payload["error"]
            errorType = error?["type"]?.string ?? "api_error"
            errorMessage = error?["message"]?.string ?? ""
        default:
            break
        }
    }

    /// Copies every counter present in an Anthropic `usage` object. One counter out of bounds refuses
    /// the stream's usage for good (`TokenUsage.violation`): a later good event does not make it usable.
    private mutating func apply(_ usageValue: JSONValue) {
        guard usage.violation == nil else { return }
        do {
            if let value = try TokenUsage.counter(usageValue, "input_tokens") { usage.inputTokens = value }
            if let value = try TokenUsage.counter(usageValue, "output_tokens") { usage.outputTokens = value }
            if let value = try TokenUsage.counter(usageValue, "cache_read_input_tokens") { usage.cacheReadTokens = value }
            if let value = try TokenUsage.counter(usageValue, "cache_creation_input_tokens") { usage.cacheCreationTokens = value }
        } catch {
            usage = .refused(error.description)
        }
    }
}
