/// Converts a non-streaming OpenAI Chat Completions response into an Anthropic Messages response.
///
/// - content: a text block when `message.content` is a non-empty string (a list of text parts is joined; an
///   empty `content` with a non-empty `message.refusal` uses the refusal text and stop_reason `refusal`),
///   then one `tool_use` per tool call (`input` parsed from `arguments`; "" → `{}`; unparsable or not an
///   object → `{"raw_arguments": "<the string>"}`; id from upstream or `toolu_` + random). Legacy
///   `message.function_call` becomes one tool_use. No blocks at all → one empty text block.
///   `reasoning_content` (DeepSeek & co.) is dropped: an Anthropic thinking block needs a signature.
/// - stop_reason: see `AnthropicStopReason`.
/// - `id` = `msg_` + upstream id (or random), `model` = the client's model string.
/// - usage: see `TokenUsage(openAIUsage:)`.
/// - Errors: a 200 body with an `error` member → `.upstreamError` (with its message); no object, no choices,
///   a choice without `message`, a tool call without a function name → `.upstreamMalformed`.
package enum OpenAIToAnthropicResponse {
    package static func convert(
        _ openAIBody: JSONValue, clientModel: String, stopSequences: [String]
    ) throws(ConversionError) -> (body: JSONValue, usage: TokenUsage, toolCalls: Int, stopReason: String) {
        guard case .object = openAIBody else {
            throw ConversionError(.upstreamMalformed, "upstream response is not a JSON object")
        }
        if let error = openAIBody["error"], !error.isNull {
            throw upstreamError(error)
        }
        guard let choices = openAIBody["choices"]?.array, let choice = choices.first else {
            throw ConversionError(.upstreamMalformed, "upstream response has no choices")
        }
        guard let message = choice["message"], case .object = message else {
            throw ConversionError(.upstreamMalformed, "upstream response choice has no message")
        }

        var content: [JSONValue] = []
        var refused = false
        let text = messageText(message["content"])
        if !text.isEmpty {
            content.append(["type": "text", "text": .string(text)])
        } else if let refusal = message["refusal"]?.string, !refusal.isEmpty {
            content.append(["type": "text", "text": .string(refusal)])
            refused = true
        }

        var toolCalls = 0
        var calls = message["tool_calls"]?.array ?? []
        if calls.isEmpty, let legacy = message["function_call"], case .object = legacy {
            calls = [["type": "function", "function": legacy]]
        }
        for (index, call) in calls.enumerated() {
            if let type = call["type"]?.string, type != "function" { continue }
            guard let function = call["function"], let name = function["name"]?.string, !name.isEmpty else {
                throw ConversionError(.upstreamMalformed, "upstream tool call \(index) has no function name")
            }
            let id = call["id"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? ConversionIDs.random(prefix: "toolu_")
            content.append([
                "type": "tool_use",
                "id": .string(id),
                "name": .string(name),
                "input": toolInput(function["arguments"]),
            ])
            toolCalls += 1
        }
        if content.isEmpty {
            content.append(["type": "text", "text": ""])
        }

        var (stopReason, stopSequence) = AnthropicStopReason.map(
            finishReason: choice["finish_reason"]?.string,
            matchedStop: AnthropicStopReason.matchedStop(in: choice),
            stopSequences: stopSequences,
            hasToolUse: toolCalls > 0
        )
        if refused && toolCalls == 0 {
            (stopReason, stopSequence) = ("refusal", nil)
        }

        let usage = openAIBody["usage"].map { TokenUsage(openAIUsage: $0) } ?? .zero
        let upstreamID = openAIBody["id"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let body: JSONValue = [
            "id": .string(upstreamID.map { "msg_" + $0 } ?? ConversionIDs.random(prefix: "msg_")),
            "type": "message",
            "role": "assistant",
            "model": .string(clientModel),
            "content": .array(content),
            "stop_reason": .string(stopReason),
            "stop_sequence": .stringOrNull(stopSequence),
            "usage": usage.anthropicJSON,
        ]
        return (body, usage, toolCalls, stopReason)
    }

    /// `message.content` as text: a string, or the `text` of a list of parts joined; "" otherwise.
    static func messageText(_ content: JSONValue?) -> String {
        switch content {
        case let .string(text)?:
            return text
        case let .array(parts)?:
            return parts.compactMap { $0["text"]?.string ?? $0.string }.joined()
        default:
            return ""
        }
    }

    /// The tool_use `input` for an OpenAI `arguments` value (normally a JSON string).
    static func toolInput(_ arguments: JSONValue?) -> JSONValue {
        switch arguments {
        case nil, .null?:
            return .object([])
        case .object?:
            return arguments ?? .object([])
        case let .string(text)?:
            if text.allSatisfy({ $0.isWhitespace }) { return .object([]) }
            if let parsed = try? JSONValue.parse(text), case .object = parsed {
                return parsed
            }
            return ["raw_arguments": .string(text)]
        case let other?:
            return ["raw_arguments": .string(other.compactText)]
        }
    }

    /// A `ConversionError.upstreamError` from an OpenAI-style `error` member (object or string).
    package static func upstreamError(_ error: JSONValue) -> ConversionError {
        let message = error["message"]?.string ?? error.string ?? error.compactText
        let type = error["type"]?.string ?? error["code"]?.string
        return ConversionError(.upstreamError, message, upstreamType: type)
    }
}
