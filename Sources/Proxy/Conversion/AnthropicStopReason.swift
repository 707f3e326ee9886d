/// OpenAI `finish_reason` → Anthropic `stop_reason` (+ `stop_sequence`), shared by the non-streaming and
/// streaming converters.
///
/// | finish_reason | stop_reason |
/// |---|---|
/// | `stop` with a matched stop sequence reported by the provider | `stop_sequence` (and `stop_sequence` set) |
/// | `stop` otherwise | `end_turn` (`tool_use` when the reply contains tool calls) |
/// | `length` | `max_tokens` |
/// | `tool_calls`, `function_call` | `tool_use` |
/// | `content_filter` | `refusal` (the reply was withheld for safety reasons: Anthropic's closest meaning) |
/// | missing or unknown | `end_turn` (`tool_use` when the reply contains tool calls) |
///
/// Stop sequences: OpenAI strips the matched stop text and does not say which one matched, so plain OpenAI
/// yields `end_turn`. Providers that do report it — vLLM's `stop_reason` and SGLang's `matched_stop` fields on
/// the choice — give `stop_sequence` when the reported string is one of the request's `stop_sequences`. We
/// never guess from the content (the stop text is not in it).
///
/// Tool calls with `finish_reason: stop` (Ollama, some Gemini/Groq compatibility layers) are reported as
/// `tool_use`, because Anthropic clients run tools only when `stop_reason` says so.
enum AnthropicStopReason {
    static func map(
        finishReason: String?, matchedStop: String?, stopSequences: [String], hasToolUse: Bool
    ) -> (stopReason: String, stopSequence: String?) {
        switch finishReason {
        case "stop"?:
            if let matchedStop, stopSequences.contains(matchedStop) {
                return ("stop_sequence", matchedStop)
            }
            return (hasToolUse ? "tool_use" : "end_turn", nil)
        case "length"?:
            return ("max_tokens", nil)
        case "tool_calls"?, "function_call"?:
            return ("tool_use", nil)
        case "content_filter"?:
            return ("refusal", nil)
        default:
            return (hasToolUse ? "tool_use" : "end_turn", nil)
        }
    }

    /// The stop string a provider reported on a choice (`stop_reason` from vLLM, `matched_stop` from SGLang),
    /// when it is a string.
    static func matchedStop(in choice: JSONValue) -> String? {
        choice["matched_stop"]?.string ?? choice["stop_reason"]?.string
    }
}
