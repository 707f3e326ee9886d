/// Numbers about an Anthropic Messages request, for logs and metrics. Tolerant: never throws; fields that
/// are missing or of the wrong type count as absent.
package struct AnthropicRequestStats: Sendable, Equatable {
    /// The `model` the client asked for (before alias resolution).
    package var requestedModel: String?
    /// `stream: true` was sent.
    package var stream: Bool
    /// `max_tokens` as sent (no clamping).
    package var maxTokens: Int?
    /// `messages.count`, plus 1 for a string `system` or the number of blocks of a list `system`
    /// (the original proxy's definition).
    package var messageCount: Int
    /// `tool_use` blocks across the whole conversation history.
    package var toolUseCount: Int
    /// `tool_result` blocks across the whole conversation history.
    package var toolResultCount: Int
    /// Entries in `tools`.
    package var toolsDefined: Int
    /// Rough size of the prompt in characters (`TokenEstimator.characterCount`).
    package var approximateChars: Int

    package init(_ body: JSONValue) {
        requestedModel = body["model"]?.string
        stream = body["stream"]?.bool ?? false
        maxTokens = body["max_tokens"]?.int
        let messages = body["messages"]?.array ?? []
        var count = messages.count
        switch body["system"] {
        case .string?: count += 1
        case let .array(blocks)?: count += blocks.count
        default: break
        }
        messageCount = count
        var toolUses = 0
        var toolResults = 0
        for message in messages {
            for block in message["content"]?.array ?? [] {
                switch block["type"]?.string {
                case "tool_use": toolUses += 1
                case "tool_result": toolResults += 1
                default: break
                }
            }
        }
        toolUseCount = toolUses
        toolResultCount = toolResults
        toolsDefined = body["tools"]?.array?.count ?? 0
        approximateChars = TokenEstimator.characterCount(body)
    }
}
