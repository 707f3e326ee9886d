/// Usage of a non-streaming Anthropic Messages response (passthrough).
enum AnthropicResponseUsage {
    /// `usage.input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens` (missing
    /// → 0) and the number of `tool_use` content blocks.
    static func read(_ body: JSONValue) -> (usage: TokenUsage, toolUses: Int) {
        let usageValue = body["usage"]
        let usage = TokenUsage(
            inputTokens: usageValue?["input_tokens"]?.int ?? 0,
            outputTokens: usageValue?["output_tokens"]?.int ?? 0,
            cacheReadTokens: usageValue?["cache_read_input_tokens"]?.int ?? 0,
            cacheCreationTokens: usageValue?["cache_creation_input_tokens"]?.int ?? 0
        )
        let toolUses = (body["content"]?.array ?? []).filter { $0["type"]?.string == "tool_use" }.count
        return (usage, toolUses)
    }
}
