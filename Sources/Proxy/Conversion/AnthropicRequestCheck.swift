import LogPipeline

/// The top-level fields vdm itself reads from an Anthropic Messages request, checked for type and
/// range before anything is kept, counted or forwarded. One check for `/v1/messages` and
/// `/v1/messages/count_tokens`, whatever the provider's format (docs/errors.md, `invalid_request`).
///
/// The deep shape of `messages` is checked where it is used: by the converter for OpenAI-format
/// providers, by the provider itself for Anthropic-format ones.
package enum AnthropicRequestCheck {
    /// The model name the client asked for, once every field vdm reads is of the documented type
    /// and within `RecordBounds`.
    static func validate(_ body: JSONValue) throws(ProxyError) -> String {
        guard case .object = body else { throw .invalidRequest("request body must be a JSON object") }
        guard let model = body["model"]?.string, !model.isEmpty else { throw .invalidRequest("model: field required (a string)") }
        guard model.utf8.count <= RecordBounds.maxModelBytes else {
            throw .invalidRequest("model: longer than \(RecordBounds.maxModelBytes) bytes (\(model.utf8.count))")
        }
        guard body["messages"]?.array != nil else { throw .invalidRequest("messages: field required (an array)") }
        if let stream = present(body, "stream"), stream.bool == nil {
            throw .invalidRequest("stream: expected a boolean, got \(stream.kindName)")
        }
        if let maxTokens = present(body, "max_tokens") {
            let limit = RecordBounds.count.upperBound
            guard let value = maxTokens.int else {
                throw .invalidRequest("max_tokens: expected an integer, got \(maxTokens.kindName)")
            }
            guard value >= 1, Int64(value) <= limit else {
                throw .invalidRequest("max_tokens: must be between 1 and \(limit), got \(value)")
            }
        }
        if let system = present(body, "system"), system.string == nil, system.array == nil {
            throw .invalidRequest("system: expected a string or a list of text blocks, got \(system.kindName)")
        }
        if let tools = present(body, "tools"), tools.array == nil {
            throw .invalidRequest("tools: expected an array, got \(tools.kindName)")
        }
        return model
    }

    /// The member `key` unless it is absent or `null` (both mean "not given").
    private static func present(_ body: JSONValue, _ key: String) -> JSONValue? {
        guard let value = body[key], !value.isNull else { return nil }
        return value
    }
}
