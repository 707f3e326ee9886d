/// Input-token estimate for `count_tokens` on OpenAI-format providers (which have no counting endpoint).
package enum TokenEstimator {
    /// Estimated input tokens of an Anthropic request body:
    ///
    ///     max(1, characters / 4)
    ///
    /// where `characters` (Unicode scalars, like Python's `len`) is the sum of
    /// - the system prompt (a string, or the `text` of its blocks),
    /// - message texts (string contents and `text` blocks),
    /// - tool_result texts (string contents and the `text` of their blocks),
    /// - for each tool: its name, its description and its `input_schema` serialized as compact JSON.
    ///
    /// Images, documents, tool_use inputs and thinking blocks are not counted. This is the rough "4 characters
    /// per token" rule the original proxy used; it is a heuristic, not a tokenizer.
    package static func estimate(_ anthropicBody: JSONValue) -> Int {
        max(1, characterCount(anthropicBody) / 4)
    }

    /// The `characters` term of `estimate`.
    static func characterCount(_ anthropicBody: JSONValue) -> Int {
        var total = 0
        total += textCharacters(of: anthropicBody["system"])
        for message in anthropicBody["messages"]?.array ?? [] {
            guard let content = message["content"] else { continue }
            if let text = content.string {
                total += text.unicodeScalars.count
                continue
            }
            for block in content.array ?? [] {
                switch block["type"]?.string {
                case "text":
                    total += block["text"]?.string?.unicodeScalars.count ?? 0
                case "tool_result":
                    total += textCharacters(of: block["content"])
                default:
                    continue
                }
            }
        }
        for tool in anthropicBody["tools"]?.array ?? [] {
            total += tool["name"]?.string?.unicodeScalars.count ?? 0
            total += tool["description"]?.string?.unicodeScalars.count ?? 0
            if let schema = tool["input_schema"] {
                total += schema.compactText.unicodeScalars.count
            }
        }
        return total
    }

    /// Characters of a string, or of the `text` of the text blocks in a list.
    private static func textCharacters(of value: JSONValue?) -> Int {
        guard let value else { return 0 }
        if let text = value.string { return text.unicodeScalars.count }
        var total = 0
        for block in value.array ?? [] where block["type"]?.string == "text" {
            total += block["text"]?.string?.unicodeScalars.count ?? 0
        }
        return total
    }
}
