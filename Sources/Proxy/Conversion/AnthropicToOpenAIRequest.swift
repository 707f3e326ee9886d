/// Converts an Anthropic Messages request body into an OpenAI Chat Completions request body.
///
/// Mapping (see also `/work/shared/reference/wire-formats.md`):
/// - `system` (a string, or text blocks joined with "\n\n") → the FIRST message, role `system`. Never dropped
///   (only an empty system text is omitted).
/// - user/assistant text → `content` (a single user text part is collapsed to a string; assistant text blocks
///   are concatenated without separator, as Anthropic renders consecutive blocks).
/// - `image` (`base64` → `data:<media_type>;base64,<data>` URL; `url` → the URL) → `image_url` parts.
/// - `document`: `text` source → a text part; `content` source → its text/image parts; base64 PDF → an
///   OpenAI `file` part (`file_data` data URL). Other document sources are a 400.
/// - assistant `tool_use` → `tool_calls` (`arguments` = the input as compact JSON); content is `null` when the
///   message has tool calls but no text (what OpenAI itself returns, so every compatible provider accepts it).
/// - user `tool_result` → `role: tool` messages, emitted before anything else of that user message so they
///   directly follow the assistant message with the calls. Content: the string, or the text blocks joined
///   with "\n"; `is_error: true` prefixes "Error: ". Images inside a tool_result (tool messages are text-only)
///   and any text/images beside the tool_results are KEPT in a following `user` message, in block order.
///   A tool_result whose id is not a tool_use of the immediately preceding assistant message is a 400, as on
///   Anthropic (OpenAI would reject the orphan `tool` message anyway).
/// - `tools` → `function` tools (`parameters` = `input_schema`); Anthropic server tools (a `type` other than
///   `custom` and no `input_schema`, e.g. `web_search_20250305`) cannot run on OpenAI upstreams and are left out.
/// - `tool_choice` auto/any/none/tool → "auto"/"required"/"none"/`{"type":"function","function":{"name"}}`;
///   `disable_parallel_tool_use: true` → `parallel_tool_calls: false`. Both only when tools remain.
/// - `stop_sequences` → `stop`; `temperature`/`top_p` ONLY when sent (number literal copied); `max_tokens`
///   copied unclamped; `metadata.user_id` → `user`; streaming adds `stream: true` and
///   `stream_options: {"include_usage": true}` (without it OpenAI streams carry no usage at all).
///
/// Deliberately dropped (no OpenAI equivalent): `thinking` / `redacted_thinking` blocks (their signatures
/// mean nothing to another model), unknown block types (server-tool blocks, `search_result`, …),
/// `cache_control`, the `thinking` request field, `top_k` (real OpenAI rejects it), `service_tier`, and
/// other metadata.
///
/// Invalid shapes (not an object, `messages` missing or not an array, a block without a type, tool_use
/// without id/name …) throw `ConversionError.invalidRequest` with an Anthropic-style path in the message,
/// fit for a 400 `invalid_request_error`.
package enum AnthropicToOpenAIRequest {
    package static func convert(_ anthropicBody: JSONValue, upstreamModel: String, stream: Bool) throws(ConversionError) -> JSONValue {
        guard case .object = anthropicBody else {
            throw .invalidRequest("request body: expected a JSON object, got \(anthropicBody.kindName)")
        }
        var out: [(key: String, value: JSONValue)] = [(key: "model", value: .string(upstreamModel))]

        var messages: [JSONValue] = []
        if let system = try systemText(anthropicBody["system"]), !system.isEmpty {
            messages.append(["role": "system", "content": .string(system)])
        }
        try appendConversation(anthropicBody["messages"], to: &messages)
        out.append((key: "messages", value: .array(messages)))

        if let maxTokens = try number(anthropicBody, "max_tokens", integer: true) {
            out.append((key: "max_tokens", value: maxTokens))
        }
        if let temperature = try number(anthropicBody, "temperature", integer: false) {
            out.append((key: "temperature", value: temperature))
        }
        if let topP = try number(anthropicBody, "top_p", integer: false) {
            out.append((key: "top_p", value: topP))
        }
        if let stop = try stopSequences(anthropicBody["stop_sequences"]), !stop.isEmpty {
            out.append((key: "stop", value: .array(stop.map { .string($0) })))
        }
        if stream {
            out.append((key: "stream", value: true))
            out.append((key: "stream_options", value: ["include_usage": true]))
        }

        let tools = try convertTools(anthropicBody["tools"])
        if !tools.isEmpty {
            out.append((key: "tools", value: .array(tools)))
            if let choice = anthropicBody["tool_choice"], !choice.isNull {
                let (openAIChoice, disableParallel) = try convertToolChoice(choice)
                out.append((key: "tool_choice", value: openAIChoice))
                if disableParallel {
                    out.append((key: "parallel_tool_calls", value: false))
                }
            }
        }

        if let metadata = anthropicBody["metadata"], case .object = metadata,
           let user = metadata["user_id"]?.string, !user.isEmpty {
            out.append((key: "user", value: .string(user)))
        }
        return .object(out)
    }

    // MARK: System

    /// The system prompt as one string: a string as is, text blocks joined with "\n\n".
    static func systemText(_ system: JSONValue?) throws(ConversionError) -> String? {
        switch system {
        case nil, .null?:
            return nil
        case let .string(text)?:
            return text
        case let .array(blocks)?:
            var texts: [String] = []
            for (index, block) in blocks.enumerated() {
                let path = "system.\(index)"
                let type = try blockType(block, path: path)
                guard type == "text" else {
                    throw .invalidRequest("\(path).type: system blocks must be of type \"text\", got \"\(type)\"")
                }
                texts.append(try requiredString(block, "text", path: path))
            }
            return texts.joined(separator: "\n\n")
        case let other?:
            throw .invalidRequest("system: expected a string or a list of text blocks, got \(other.kindName)")
        }
    }

    // MARK: Messages

    private static func appendConversation(_ value: JSONValue?, to messages: inout [JSONValue]) throws(ConversionError) {
        guard let value, !value.isNull else { throw .invalidRequest("messages: field required") }
        guard let list = value.array else {
            throw .invalidRequest("messages: expected an array, got \(value.kindName)")
        }
        guard !list.isEmpty else { throw .invalidRequest("messages: at least one message is required") }
        // tool_use ids of the previous message when it was an assistant message.
        var previousToolUseIDs: Set<String> = []
        for (index, message) in list.enumerated() {
            guard case .object = message else {
                throw .invalidRequest("messages.\(index): expected an object, got \(message.kindName)")
            }
            let role = message["role"]?.string
            guard let content = message["content"], !content.isNull else {
                throw .invalidRequest("messages.\(index).content: field required")
            }
            switch role {
            case "user":
                try appendUser(content, path: "messages.\(index)", toolUseIDs: previousToolUseIDs, to: &messages)
                previousToolUseIDs = []
            case "assistant":
                previousToolUseIDs = try appendAssistant(content, path: "messages.\(index)", to: &messages)
            default:
                throw .invalidRequest("messages.\(index).role: expected \"user\" or \"assistant\"")
            }
        }
    }

    private static func appendUser(
        _ content: JSONValue, path: @autoclosure () -> String, toolUseIDs: Set<String>, to messages: inout [JSONValue]
    ) throws(ConversionError) {
        if let text = content.string {
            messages.append(["role": "user", "content": .string(text)])
            return
        }
        guard let blocks = content.array else {
            throw .invalidRequest("\(path()).content: expected a string or a list of blocks, got \(content.kindName)")
        }
        var toolMessages: [JSONValue] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            switch try blockType(block, path: "\(path()).content.\(index)") {
            case "text":
                parts.append(["type": "text", "text": .string(try requiredString(block, "text", path: "\(path()).content.\(index)"))])
            case "image":
                parts.append(try imagePart(block, path: "\(path()).content.\(index)"))
            case "document":
                parts.append(contentsOf: try documentParts(block, path: "\(path()).content.\(index)"))
            case "tool_result":
                let id = try requiredString(block, "tool_use_id", path: "\(path()).content.\(index)")
                guard toolUseIDs.contains(id) else {
                    throw .invalidRequest(
                        "\(path()).content.\(index): unexpected `tool_use_id` found in `tool_result` blocks: \(id). Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                    )
                }
                let (text, images) = try toolResultContent(block, path: "\(path()).content.\(index)")
                toolMessages.append(["role": "tool", "tool_call_id": .string(id), "content": .string(text)])
                parts.append(contentsOf: images)
            case "tool_use":
                throw .invalidRequest("\(path()).content.\(index): tool_use blocks are only allowed in assistant messages")
            default:
                // thinking, redacted_thinking, server-tool results, search_result …: no OpenAI equivalent.
                continue
            }
        }
        messages.append(contentsOf: toolMessages)
        guard !parts.isEmpty else { return }
        if parts.count == 1, let text = parts[0]["text"]?.string, parts[0]["type"]?.string == "text" {
            messages.append(["role": "user", "content": .string(text)])
        } else {
            messages.append(["role": "user", "content": .array(parts)])
        }
    }

    /// Appends the assistant message (unless it has neither text nor tool calls) and returns its tool_use ids.
    private static func appendAssistant(
        _ content: JSONValue, path: @autoclosure () -> String, to messages: inout [JSONValue]
    ) throws(ConversionError) -> Set<String> {
        if let text = content.string {
            messages.append(["role": "assistant", "content": .string(text)])
            return []
        }
        guard let blocks = content.array else {
            throw .invalidRequest("\(path()).content: expected a string or a list of blocks, got \(content.kindName)")
        }
        var text = ""
        var hasText = false
        var toolCalls: [JSONValue] = []
        var ids: Set<String> = []
        for (index, block) in blocks.enumerated() {
            switch try blockType(block, path: "\(path()).content.\(index)") {
            case "text":
                text += try requiredString(block, "text", path: "\(path()).content.\(index)")
                hasText = true
            case "tool_use":
                let id = try requiredString(block, "id", path: "\(path()).content.\(index)")
                let name = try requiredString(block, "name", path: "\(path()).content.\(index)")
                let input = block["input"] ?? .null
                let arguments: JSONValue
                switch input {
                case .null: arguments = .object([])
                case .object: arguments = input
                default:
                    throw .invalidRequest("\(path()).content.\(index).input: expected an object, got \(input.kindName)")
                }
                toolCalls.append([
                    "id": .string(id),
                    "type": "function",
                    "function": ["name": .string(name), "arguments": .string(arguments.compactText)],
                ])
                ids.insert(id)
            case "tool_result":
                throw .invalidRequest("\(path()).content.\(index): tool_result blocks are only allowed in user messages")
            default:
                // thinking / redacted_thinking (signed reasoning of another model), server-tool blocks, …
                continue
            }
        }
        guard hasText || !toolCalls.isEmpty else { return ids }
        var message: JSONValue = ["role": "assistant", "content": hasText ? .string(text) : .null]
        if !toolCalls.isEmpty {
            message = message.setting("tool_calls", to: .array(toolCalls))
        }
        messages.append(message)
        return ids
    }

    // MARK: Blocks

    private static func imagePart(_ block: JSONValue, path: @autoclosure () -> String) throws(ConversionError) -> JSONValue {
        ["type": "image_url", "image_url": ["url": .string(try mediaURL(block, path: path(), kind: "image"))]]
    }

    /// The URL for an image source: a data URL for base64, the URL itself for url sources.
    private static func mediaURL(_ block: JSONValue, path: @autoclosure () -> String, kind: String) throws(ConversionError) -> String {
        guard let source = block["source"], case .object = source else {
            throw .invalidRequest("\(path()).source: field required")
        }
        switch source["type"]?.string {
        case "base64":
            let mediaType = try requiredString(source, "media_type", path: "\(path()).source")
            let data = try requiredString(source, "data", path: "\(path()).source")
            return "data:\(mediaType);base64,\(data)"
        case "url":
            return try requiredString(source, "url", path: "\(path()).source")
        case let other?:
            throw .invalidRequest("\(path()).source.type: \(kind) source \"\(other)\" is not supported by this provider")
        case nil:
            throw .invalidRequest("\(path()).source.type: field required")
        }
    }

    private static func documentParts(_ block: JSONValue, path: @autoclosure () -> String) throws(ConversionError) -> [JSONValue] {
        guard let source = block["source"], case .object = source else {
            throw .invalidRequest("\(path()).source: field required")
        }
        switch source["type"]?.string {
        case "text":
            return [["type": "text", "text": .string(try requiredString(source, "data", path: "\(path()).source"))]]
        case "content":
            let content = source["content"] ?? .null
            if let text = content.string { return [["type": "text", "text": .string(text)]] }
            guard let items = content.array else {
                throw .invalidRequest("\(path()).source.content: expected a string or a list of blocks")
            }
            var parts: [JSONValue] = []
            for (index, item) in items.enumerated() {
                switch try blockType(item, path: "\(path()).source.content.\(index)") {
                case "text":
                    parts.append(["type": "text", "text": .string(try requiredString(item, "text", path: "\(path()).source.content.\(index)"))])
                case "image":
                    parts.append(try imagePart(item, path: "\(path()).source.content.\(index)"))
                default:
                    continue
                }
            }
            return parts
        case "base64":
            let mediaType = try requiredString(source, "media_type", path: "\(path()).source")
            guard mediaType == "application/pdf" else {
                throw .invalidRequest("\(path()).source.media_type: document type \"\(mediaType)\" is not supported by this provider")
            }
            let data = try requiredString(source, "data", path: "\(path()).source")
            let filename = block["title"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "document.pdf"
            return [[
                "type": "file",
                "file": ["filename": .string(filename), "file_data": .string("data:application/pdf;base64,\(data)")],
            ]]
        case let other?:
            throw .invalidRequest("\(path()).source.type: document source \"\(other)\" is not supported by this provider")
        case nil:
            throw .invalidRequest("\(path()).source.type: field required")
        }
    }

    /// The text of a tool_result (string, or text blocks joined with "\n"; "Error: " prefix when
    /// `is_error`) and the image parts it carried.
    private static func toolResultContent(_ block: JSONValue, path: @autoclosure () -> String) throws(ConversionError) -> (String, [JSONValue]) {
        var text: String
        var images: [JSONValue] = []
        switch block["content"] {
        case nil, .null?:
            text = ""
        case let .string(value)?:
            text = value
        case let .array(items)?:
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                switch try blockType(item, path: "\(path()).content.\(index)") {
                case "text":
                    texts.append(try requiredString(item, "text", path: "\(path()).content.\(index)"))
                case "image":
                    images.append(try imagePart(item, path: "\(path()).content.\(index)"))
                case "document":
                    for part in try documentParts(item, path: "\(path()).content.\(index)") {
                        if part["type"]?.string == "text", let partText = part["text"]?.string {
                            texts.append(partText)
                        } else {
                            images.append(part)
                        }
                    }
                default:
                    continue
                }
            }
            text = texts.joined(separator: "\n")
        case let other?:
            throw .invalidRequest("\(path()).content: expected a string or a list of blocks, got \(other.kindName)")
        }
        if block["is_error"]?.bool == true {
            text = "Error: " + text
        }
        return (text, images)
    }

    // MARK: Tools

    private static func convertTools(_ value: JSONValue?) throws(ConversionError) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let list = value.array else {
            throw .invalidRequest("tools: expected an array, got \(value.kindName)")
        }
        var tools: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            let path = "tools.\(index)"
            guard case .object = tool else {
                throw .invalidRequest("\(path): expected an object, got \(tool.kindName)")
            }
            let name = try requiredString(tool, "name", path: path)
            guard !name.isEmpty else { throw .invalidRequest("\(path).name: must not be empty") }
            let schema = tool["input_schema"]
            if schema == nil || schema == .null {
                if let type = tool["type"]?.string, type != "custom" {
                    continue // Anthropic server tool (web search, code execution …): not available upstream.
                }
                throw .invalidRequest("\(path).input_schema: field required")
            }
            guard let schema, case .object = schema else {
                throw .invalidRequest("\(path).input_schema: expected an object")
            }
            var function: [(key: String, value: JSONValue)] = [(key: "name", value: .string(name))]
            if let description = tool["description"]?.string {
                function.append((key: "description", value: .string(description)))
            }
            function.append((key: "parameters", value: schema))
            tools.append(["type": "function", "function": .object(function)])
        }
        return tools
    }

    /// The OpenAI `tool_choice` and whether parallel tool calls must be disabled.
    private static func convertToolChoice(_ choice: JSONValue) throws(ConversionError) -> (JSONValue, Bool) {
        guard case .object = choice else {
            throw .invalidRequest("tool_choice: expected an object, got \(choice.kindName)")
        }
        let disableParallel = choice["disable_parallel_tool_use"]?.bool == true
        switch choice["type"]?.string {
        case "auto": return ("auto", disableParallel)
        case "any": return ("required", disableParallel)
        case "none": return ("none", disableParallel)
        case "tool":
            let name = try requiredString(choice, "name", path: "tool_choice")
            return (["type": "function", "function": ["name": .string(name)]], disableParallel)
        case let other?:
            throw .invalidRequest("tool_choice.type: expected \"auto\", \"any\", \"tool\" or \"none\", got \"\(other)\"")
        case nil:
            throw .invalidRequest("tool_choice.type: field required")
        }
    }

    // MARK: Scalars

    private static func stopSequences(_ value: JSONValue?) throws(ConversionError) -> [String]? {
        guard let value, !value.isNull else { return nil }
        guard let list = value.array else {
            throw .invalidRequest("stop_sequences: expected a list of strings, got \(value.kindName)")
        }
        var result: [String] = []
        for (index, item) in list.enumerated() {
            guard let text = item.string else {
                throw .invalidRequest("stop_sequences.\(index): expected a string, got \(item.kindName)")
            }
            result.append(text)
        }
        return result
    }

    /// The number literal of `body[key]` (nil when absent or null).
    private static func number(_ body: JSONValue, _ key: String, integer: Bool) throws(ConversionError) -> JSONValue? {
        guard let value = body[key], !value.isNull else { return nil }
        guard case .number = value else {
            throw .invalidRequest("\(key): expected a number, got \(value.kindName)")
        }
        if integer && value.int == nil {
            throw .invalidRequest("\(key): expected an integer")
        }
        return value
    }

    // MARK: Shape checks

    /// The `type` of a content block; a non-object or a block without a string `type` is a 400.
    static func blockType(_ block: JSONValue, path: @autoclosure () -> String) throws(ConversionError) -> String {
        guard case .object = block else {
            throw .invalidRequest("\(path()): expected a content block object, got \(block.kindName)")
        }
        guard let type = block["type"]?.string else {
            throw .invalidRequest("\(path()).type: field required")
        }
        return type
    }

    static func requiredString(_ object: JSONValue, _ key: String, path: @autoclosure () -> String) throws(ConversionError) -> String {
        guard let value = object[key], !value.isNull else {
            throw .invalidRequest("\(path()).\(key): field required")
        }
        guard let text = value.string else {
            throw .invalidRequest("\(path()).\(key): expected a string, got \(value.kindName)")
        }
        return text
    }
}
