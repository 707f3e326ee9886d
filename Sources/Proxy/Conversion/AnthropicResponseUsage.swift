/// Usage of a non-streaming Anthropic Messages response (passthrough).
package enum AnthropicResponseUsage {
    /// `usage.input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens` (missing
    /// → 0; out of bounds → a refused usage, see `TokenUsage`) and the number of `tool_use` content blocks.
    package static func read(_ body: JSONValue) -> (usage: TokenUsage, toolUses: Int) {
        let usage = TokenUsage(anthropicUsage: body["usage"])
        let toolUses = (body["content"]?.array ?? []).filter { $0["type"]?.string == "tool_use" }.count
        return (usage, toolUses)
    }
}
