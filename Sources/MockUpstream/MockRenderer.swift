// Renders a `MockReplyPlan` as exact wire bytes: non-streaming JSON bodies and SSE frames for the
// Anthropic Messages and OpenAI Chat Completions formats, plus error bodies.

package enum MockRenderer {
    /// Fixed `created` timestamp, so that replies are a pure function of the request.
    static let created = "1700000000"
    /// Longest fragment of tool-call arguments in a stream.
    static let argumentFragmentLength = 8

    // MARK: Anthropic

    static func anthropicMessageID(_ plan: MockReplyPlan) -> String { "msg_mock_" + plan.idHash }

    static func anthropicToolID(_ plan: MockReplyPlan, _ index: Int) -> String {
        "toolu_mock_" + plan.idHash + "_" + String(index)
    }

    static func anthropicStopReason(_ plan: MockReplyPlan) -> String {
        if !plan.toolCalls.isEmpty { return "tool_use" }
        if plan.stopSequence != nil { return "stop_sequence" }
        return plan.truncated ? "max_tokens" : "end_turn"
    }

    /// `"stop_sequence":…` value: the matched sequence or null.
    static func anthropicStopSequence(_ plan: MockReplyPlan) -> String {
        plan.stopSequence.map(MockJSONText.quoted) ?? "null"
    }

    static func anthropicUsage(_ plan: MockReplyPlan, outputTokens: Int) -> String {
        "{\"input_tokens\":" + String(plan.anthropicInputTokens)
            + ",\"cache_creation_input_tokens\":" + String(plan.cacheCreation)
            + ",\"cache_read_input_tokens\":" + String(plan.cacheRead)
            + ",\"output_tokens\":" + String(outputTokens) + "}"
    }

    package static func anthropicMessage(_ plan: MockReplyPlan) -> String {
        var content = "["
        if plan.toolCalls.isEmpty {
            content += "{\"type\":\"text\",\"text\":" + MockJSONText.quoted(plan.text) + "}"
        } else {
            for (i, call) in plan.toolCalls.enumerated() {
                if i > 0 { content += "," }
                content += "{\"type\":\"tool_use\",\"id\":\"" + anthropicToolID(plan, i) + "\",\"name\":"
                    + MockJSONText.quoted(call.name) + ",\"input\":" + call.argumentsJSON + "}"
            }
        }
        content += "]"
        return "{\"id\":\"" + anthropicMessageID(plan) + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
            + MockJSONText.quoted(plan.model) + ",\"content\":" + content + ",\"stop_reason\":\""
            + anthropicStopReason(plan) + "\",\"stop_sequence\":" + anthropicStopSequence(plan) + ",\"usage\":"
            + anthropicUsage(plan, outputTokens: plan.outputTokens) + "}"
    }

    static func anthropicEvent(_ name: String, _ json: String) -> String {
        MockJSONText.concat("event: ", name, "\ndata: ", json, "\n\n")
    }

    /// All SSE frames of a streamed Anthropic reply, in order.
    package static func anthropicEvents(_ plan: MockReplyPlan) -> [String] {
        var events: [String] = []
        events.reserveCapacity(plan.textFragments.count + 8 * max(1, plan.toolCalls.count) + 4)
        events.append(
            anthropicEvent(
                "message_start",
                "{\"type\":\"message_start\",\"message\":{\"id\":\"" + anthropicMessageID(plan)
                    + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + MockJSONText.quoted(plan.model)
                    + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
                    + anthropicUsage(plan, outputTokens: 1) + "}}"
            )
        )
        if plan.toolCalls.isEmpty {
            events.append(
                anthropicEvent(
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"
                )
            )
            events.append(anthropicEvent("ping", "{\"type\":\"ping\"}"))
            for fragment in plan.textFragments {
                events.append(
                    MockJSONText.concat(
                        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":",
                        MockJSONText.quoted(fragment),
                        "}}\n\n"
                    )
                )
            }
            events.append(anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"))
        } else {
            for (i, call) in plan.toolCalls.enumerated() {
                let index = String(i)
                events.append(
                    anthropicEvent(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":" + index
                            + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"" + anthropicToolID(plan, i)
                            + "\",\"name\":" + MockJSONText.quoted(call.name) + ",\"input\":{}}}"
                    )
                )
                if i == 0 {
                    events.append(anthropicEvent("ping", "{\"type\":\"ping\"}"))
                }
                for fragment in [""] + fragments(of: call.argumentsJSON) {
                    events.append(
                        anthropicEvent(
                            "content_block_delta",
                            "{\"type\":\"content_block_delta\",\"index\":" + index
                                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
                                + MockJSONText.quoted(fragment) + "}}"
                        )
                    )
                }
                events.append(
                    anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}")
                )
            }
        }
        events.append(
            anthropicEvent(
                "message_delta",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + anthropicStopReason(plan)
                    + "\",\"stop_sequence\":" + anthropicStopSequence(plan) + "},\"usage\":{\"output_tokens\":"
                    + String(plan.outputTokens) + "}}"
            )
        )
        events.append(anthropicEvent("message_stop", "{\"type\":\"message_stop\"}"))
        return events
    }

    /// The invalid frame `mock:malformed` inserts mid-stream.
    static let anthropicMalformedEvent =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"malfor\n\n"

    /// The mid-stream failure `mock:stream_error` sends.
    static let anthropicErrorEvent = anthropicEvent(
        "error",
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Mock upstream injected a mid-stream error\"}}"
    )

    // MARK: OpenAI

    static func openAIID(_ plan: MockReplyPlan) -> String { "chatcmpl-mock" + plan.idHash }

    static func openAIToolID(_ plan: MockReplyPlan, _ index: Int) -> String {
        "call_mock_" + plan.idHash + "_" + String(index)
    }

    static func openAIFinishReason(_ plan: MockReplyPlan) -> String {
        if !plan.toolCalls.isEmpty { return "tool_calls" }
        return plan.truncated ? "length" : "stop"
    }

    static func openAIUsage(_ plan: MockReplyPlan) -> String {
        "{\"prompt_tokens\":" + String(plan.inputTotal)
            + ",\"completion_tokens\":" + String(plan.outputTokens)
            + ",\"total_tokens\":" + String(plan.inputTotal + plan.outputTokens)
            + ",\"prompt_tokens_details\":{\"cached_tokens\":" + String(plan.cacheRead)
            + "},\"completion_tokens_details\":{\"reasoning_tokens\":0}}"
    }

    package static func openAICompletion(_ plan: MockReplyPlan) -> String {
        var message = "{\"role\":\"assistant\",\"content\":"
        if plan.toolCalls.isEmpty {
            message += MockJSONText.quoted(plan.text)
        } else {
            message += "null,\"tool_calls\":["
            for (i, call) in plan.toolCalls.enumerated() {
                if i > 0 { message += "," }
                message += "{\"id\":\"" + openAIToolID(plan, i) + "\",\"type\":\"function\",\"function\":{\"name\":"
                    + MockJSONText.quoted(call.name) + ",\"arguments\":" + MockJSONText.quoted(call.argumentsJSON) + "}}"
            }
            message += "]"
        }
        message += ",\"refusal\":null}"
        return "{\"id\":\"" + openAIID(plan) + "\",\"object\":\"chat.completion\",\"created\":" + created
            + ",\"model\":" + MockJSONText.quoted(plan.model) + ",\"choices\":[{\"index\":0,\"message\":" + message
            + ",\"logprobs\":null,\"finish_reason\":\"" + openAIFinishReason(plan) + "\"}],\"usage\":"
            + openAIUsage(plan) + "}"
    }

    /// All SSE frames of a streamed OpenAI reply, in order, ending with `data: [DONE]`.
    package static func openAIEvents(_ plan: MockReplyPlan) -> [String] {
        let head = MockJSONText.concat(
            "data: {\"id\":\"", openAIID(plan), "\",\"object\":\"chat.completion.chunk\",\"created\":", created,
            ",\"model\":", MockJSONText.quoted(plan.model), ",\"choices\":[{\"index\":0,\"delta\":"
        )
        let usageHead = MockJSONText.concat(
            "data: {\"id\":\"", openAIID(plan), "\",\"object\":\"chat.completion.chunk\",\"created\":", created,
            ",\"model\":", MockJSONText.quoted(plan.model), ",\"choices\":[],\"usage\":"
        )
        func chunk(_ delta: String) -> String {
            MockJSONText.concat(head, delta, ",\"logprobs\":null,\"finish_reason\":null}]}\n\n")
        }
        func finishChunk(_ reason: String) -> String {
            MockJSONText.concat(head, "{},\"logprobs\":null,\"finish_reason\":\"", reason, "\"}]}\n\n")
        }
        var events: [String] = []
        events.reserveCapacity(plan.textFragments.count + 8 * max(1, plan.toolCalls.count) + 4)
        if plan.toolCalls.isEmpty {
            events.append(chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"))
            for fragment in plan.textFragments {
                events.append(MockJSONText.concat(head, "{\"content\":", MockJSONText.quoted(fragment), "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"))
            }
        } else {
            events.append(chunk("{\"role\":\"assistant\",\"content\":null,\"refusal\":null}"))
            for (i, call) in plan.toolCalls.enumerated() {
                let index = String(i)
                events.append(
                    chunk(
                        "{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"" + openAIToolID(plan, i)
                            + "\",\"type\":\"function\",\"function\":{\"name\":" + MockJSONText.quoted(call.name)
                            + ",\"arguments\":\"\"}}]}"
                    )
                )
                for fragment in fragments(of: call.argumentsJSON) {
                    events.append(
                        chunk(
                            "{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":"
                                + MockJSONText.quoted(fragment) + "}}]}"
                        )
                    )
                }
            }
        }
        events.append(finishChunk(openAIFinishReason(plan)))
        if plan.includeUsage {
            events.append(MockJSONText.concat(usageHead, openAIUsage(plan), "}\n\n"))
        }
        events.append("data: [DONE]\n\n")
        return events
    }

    static let openAIErrorEvent =
        "data: {\"error\":{\"message\":\"Mock upstream injected a mid-stream error\",\"type\":\"server_error\",\"param\":null,\"code\":\"overloaded\"}}\n\n"

    static let openAIMalformedEvent = "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"malfor\n\n"

    // MARK: Shared

    /// Splits JSON text into fragments of at most `argumentFragmentLength` characters.
    package static func fragments(of text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var count = 0
        for character in text {
            current.append(character)
            count += 1
            if count == argumentFragmentLength {
                result.append(current)
                current = ""
                count = 0
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    // MARK: Errors

    struct ErrorKind {
        var anthropicType: String
        var openAIType: String
        var openAICode: String
    }

    static func errorKind(status: Int) -> ErrorKind {
        switch status {
        case 400: return .init(anthropicType: "invalid_request_error", openAIType: "invalid_request_error", openAICode: "invalid_request")
        case 401:
            return .init(anthropicType: "authentication_error", openAIType: "invalid_request_error", openAICode: "invalid_api_key")
        case 403: return .init(anthropicType: "permission_error", openAIType: "invalid_request_error", openAICode: "permission_denied")
        case 404: return .init(anthropicType: "not_found_error", openAIType: "invalid_request_error", openAICode: "not_found")
        case 413: return .init(anthropicType: "request_too_large", openAIType: "invalid_request_error", openAICode: "request_too_large")
        case 429: return .init(anthropicType: "rate_limit_error", openAIType: "requests", openAICode: "rate_limit_exceeded")
        case 500: return .init(anthropicType: "api_error", openAIType: "server_error", openAICode: "internal_error")
        case 503: return .init(anthropicType: "overloaded_error", openAIType: "server_error", openAICode: "service_unavailable")
        case 504: return .init(anthropicType: "api_error", openAIType: "server_error", openAICode: "timeout")
        case 529: return .init(anthropicType: "overloaded_error", openAIType: "server_error", openAICode: "overloaded")
        case 400..<500: return .init(anthropicType: "invalid_request_error", openAIType: "invalid_request_error", openAICode: "mock_error")
        default: return .init(anthropicType: "api_error", openAIType: "server_error", openAICode: "mock_error")
        }
    }

    package static func errorBody(format: MockWireFormat, status: Int, message: String) -> String {
        let kind = errorKind(status: status)
        switch format {
        case .anthropic:
            return "{\"type\":\"error\",\"error\":{\"type\":\"" + kind.anthropicType + "\",\"message\":"
                + MockJSONText.quoted(message) + "}}"
        case .openAI:
            return "{\"error\":{\"message\":" + MockJSONText.quoted(message) + ",\"type\":\"" + kind.openAIType
                + "\",\"param\":null,\"code\":\"" + kind.openAICode + "\"}}"
        }
    }
}
