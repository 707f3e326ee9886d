/// Token counts with Anthropic semantics: `inputTokens` EXCLUDES both cache counters.
struct TokenUsage: Sendable, Equatable, CustomStringConvertible {
    var inputTokens: Int
    var outputTokens: Int
    var cacheReadTokens: Int
    var cacheCreationTokens: Int

    init(inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0, cacheCreationTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheCreationTokens = cacheCreationTokens
    }

    static let zero = TokenUsage()

    /// All prompt tokens the upstream processed: input + cache read + cache creation.
    var totalInputTokens: Int { inputTokens + cacheReadTokens + cacheCreationTokens }

    /// Reads an OpenAI `usage` object: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`, so
    /// `inputTokens = prompt_tokens - cached_tokens` (never negative). DeepSeek's `prompt_cache_hit_tokens`
    /// is used when `prompt_tokens_details.cached_tokens` is absent. OpenAI has no cache-creation counter.
    init(openAIUsage usage: JSONValue) {
        let prompt = max(0, usage["prompt_tokens"]?.int ?? 0)
        let cached = max(0, usage["prompt_tokens_details"]?["cached_tokens"]?.int
            ?? usage["prompt_cache_hit_tokens"]?.int ?? 0)
        self.init(
            inputTokens: max(0, prompt - cached),
            outputTokens: max(0, usage["completion_tokens"]?.int ?? 0),
            cacheReadTokens: cached,
            cacheCreationTokens: 0
        )
    }

    /// The Anthropic `usage` object, keys in Anthropic's order.
    var anthropicJSON: JSONValue {
        [
            "input_tokens": JSONValue(inputTokens),
            "cache_creation_input_tokens": JSONValue(cacheCreationTokens),
            "cache_read_input_tokens": JSONValue(cacheReadTokens),
            "output_tokens": JSONValue(outputTokens),
        ]
    }

    var description: String {
        "in=\(inputTokens) out=\(outputTokens) cache_read=\(cacheReadTokens) cache_creation=\(cacheCreationTokens)"
    }
}
