/// Converts an OpenAI Chat Completions stream into an Anthropic Messages stream, one upstream `data:` payload
/// at a time. A value type: the caller owns it and drives it from one task.
///
/// Use: `start()` once (message_start + ping), `consume(data:)` for every upstream `data:` payload, `finish()`
/// when the upstream stream ends; encode the returned events with `AnthropicStreamEvent.bytes`.
///
/// Guarantees for the Anthropic client:
/// - content blocks strictly one after another, integer indices from 0, every `content_block_start` matched
///   by a `content_block_stop` before the next start;
/// - a text block is opened lazily on the first non-empty text delta (empty deltas are skipped); when a tool
///   call starts, the open block is stopped first; text after a tool block opens a new text block;
/// - a tool_use block starts (`input: {}`) once the call's id and name are known; argument fragments that
///   arrived before that are sent right after the start, later fragments are forwarded as `input_json_delta`
///   AS THEY ARRIVE (never buffered until complete). A call whose name came without an id is started with a
///   generated `toolu_` id as soon as anything else has to be emitted (text, another call, the end);
/// - the upstream is read to its end: the usage chunk that OpenAI sends AFTER the finish_reason chunk
///   (`choices: []` + `usage`) is what `message_delta.usage` reports (the original proxy stopped at
///   finish_reason and reported zeros);
/// - at the end: stop the open block, `message_delta` (`stop_reason`, `stop_sequence`, full usage), `message_stop`.
///   A stream that produced no block at all gets one empty text block, like the non-streaming conversion.
///
/// Failures: malformed JSON in a payload throws `ConversionError` `.streamError`; a payload carrying an
/// `error` object (OpenRouter and others report mid-stream failures that way) throws `.upstreamError`. The
/// caller then sends `errorEvent(...)` and ends the response. A stream that ends with neither a
/// finish_reason nor `[DONE]` (connection cut) is not complete: `isComplete` is false and `finish()` only
/// stops the open block — no `message_delta`/`message_stop`, so the caller must send an error event.
///
/// Arguments for a call whose block was already stopped (a provider interleaving parallel calls) cannot be
/// represented in Anthropic's sequential format; that throws `.streamError` rather than losing them silently.
///
/// Reasoning deltas (`reasoning_content` / `reasoning`) are not forwarded (an Anthropic thinking block needs a
/// signature), but they count in `outputTextChars`.
struct OpenAIStreamConverter: Sendable {
    let messageID: String
    let clientModel: String
    let stopSequences: [String]

    /// Usage from the last upstream chunk that carried a `usage` object (zeros until then).
    private(set) var usage: TokenUsage = .zero
    /// Whether any upstream chunk carried usage.
    private(set) var sawUsage = false
    /// tool_use blocks started so far.
    private(set) var toolCalls = 0
    /// The Anthropic stop_reason; set by `finish()` on a complete stream.
    private(set) var stopReason: String?
    /// The matched stop sequence, when `stopReason` is `stop_sequence`.
    private(set) var stopSequence: String?
    /// The upstream's raw finish_reason, once seen.
    private(set) var finishReason: String?
    private(set) var sawFinishReason = false
    private(set) var sawDone = false
    /// Characters of output so far (text, tool arguments and reasoning), for live token estimates.
    private(set) var outputTextChars = 0
    /// Becomes true with the first text delta or tool_use start sent to the client (time to first token).
    private(set) var firstContentSeen = false
    /// `finish()` was called.
    private(set) var isFinished = false

    /// The error `consume` threw, if any.
    private(set) var failure: ConversionError?

    /// The upstream ended properly: it sent a finish_reason or `[DONE]`, and nothing failed.
    var isComplete: Bool { failure == nil && (sawFinishReason || sawDone) }

    private enum OpenBlock: Sendable {
        case none
        case text(index: Int)
        case tool(key: Int, index: Int)
    }

    private struct ToolState: Sendable {
        var id: String?
        var name: String?
        var pendingArguments = ""
        var blockIndex: Int?
        var closed = false
    }

    private var started = false
    private var nextBlockIndex = 0
    private var openBlock: OpenBlock = .none
    private var tools: [Int: ToolState] = [:]
    private var toolOrder: [Int] = []
    private var matchedStop: String?

    /// Key used for a legacy `function_call` delta.
    private static let legacyFunctionKey = -1

    init(messageID: String, clientModel: String, stopSequences: [String]) {
        self.messageID = messageID
        self.clientModel = clientModel
        self.stopSequences = stopSequences
    }

    // MARK: Driving

    /// `message_start` (usage all zero: the input tokens are not known yet) and one `ping`. Returns nothing
    /// when already started (`consume` and `finish` start implicitly).
    mutating func start() -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        ensureStarted(&events)
        return events
    }

    /// Handles one upstream `data:` payload (`[DONE]` included) and returns the events to send.
    /// After it throws, the converter is failed: later payloads are ignored and `finish()` only stops the
    /// open block (the caller sends `errorEvent(for:)` instead of a normal ending).
    mutating func consume(data: String) throws(ConversionError) -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        ensureStarted(&events)
        guard !isFinished, !sawDone, failure == nil else { return events }
        do {
            try consume(payload: data, into: &events)
        } catch {
            failure = error
            throw error
        }
        return events
    }

    private mutating func consume(payload data: String, into events: inout [AnthropicStreamEvent]) throws(ConversionError) {
        let payload = Self.trimmed(data)
        if payload.isEmpty { return }
        if payload == "[DONE]" {
            sawDone = true
            return
        }
        let chunk: JSONValue
        do {
            chunk = try JSONValue.parse(payload.utf8)
        } catch {
            throw ConversionError(.streamError, "Failed to parse upstream streaming chunk as JSON: \(error)")
        }
        guard case .object = chunk else {
            throw ConversionError(.streamError, "upstream streaming chunk is not a JSON object")
        }
        if let error = chunk["error"], !error.isNull {
            throw OpenAIToAnthropicResponse.upstreamError(error)
        }
        if let usageValue = chunk["usage"], case .object = usageValue {
            // A refused usage stays refused: a later chunk does not make the stream's usage usable.
            if usage.violation == nil { usage = TokenUsage(openAIUsage: usageValue) }
            sawUsage = true
        }
        for choice in chunk["choices"]?.array ?? [] {
            if let index = choice["index"]?.int, index != 0 { continue } // we never ask for n > 1
            if let delta = choice["delta"], case .object = delta {
                try consume(delta: delta, into: &events)
            }
            if let reason = choice["finish_reason"]?.string {
                finishReason = reason
                sawFinishReason = true
                matchedStop = AnthropicStopReason.matchedStop(in: choice) ?? matchedStop
            }
        }
    }

    /// The closing events. On a complete stream: stop the open block, `message_delta`, `message_stop`.
    /// On a cut or failed stream (`isComplete == false`): only stop the open block; the caller reports the error.
    /// Returns nothing when called again.
    mutating func finish() -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        ensureStarted(&events)
        guard !isFinished else { return events }
        isFinished = true
        guard isComplete else {
            stopOpenBlock(&events)
            return events
        }
        startNamedPendingTools(except: nil, &events)
        stopOpenBlock(&events)
        if nextBlockIndex == 0 {
            events.append(Self.blockStart(index: 0, block: ["type": "text", "text": ""]))
            events.append(Self.blockStop(index: 0))
            nextBlockIndex = 1
        }
        let mapped = AnthropicStopReason.map(
            finishReason: finishReason, matchedStop: matchedStop, stopSequences: stopSequences,
            hasToolUse: toolCalls > 0
        )
        stopReason = mapped.stopReason
        stopSequence = mapped.stopSequence
        events.append(AnthropicStreamEvent("message_delta", [
            "type": "message_delta",
            "delta": ["stop_reason": .string(mapped.stopReason), "stop_sequence": .stringOrNull(mapped.stopSequence)],
            "usage": usage.anthropicJSON,
        ]))
        events.append(AnthropicStreamEvent("message_stop", ["type": "message_stop"]))
        return events
    }

    /// An Anthropic `event: error` with `{"type":"error","error":{"type","message"}}`.
    static func errorEvent(type: String, message: String) -> AnthropicStreamEvent {
        AnthropicStreamEvent("error", ["type": "error", "error": ["type": .string(type), "message": .string(message)]])
    }

    /// The `event: error` for a conversion failure.
    static func errorEvent(for error: ConversionError) -> AnthropicStreamEvent {
        AnthropicStreamEvent("error", error.anthropicErrorBody)
    }

    // MARK: Deltas

    private mutating func consume(delta: JSONValue, into events: inout [AnthropicStreamEvent]) throws(ConversionError) {
        if let text = delta["content"]?.string, !text.isEmpty {
            emitText(text, &events)
        }
        if let refusal = delta["refusal"]?.string, !refusal.isEmpty {
            emitText(refusal, &events)
        }
        if let reasoning = delta["reasoning_content"]?.string ?? delta["reasoning"]?.string {
            outputTextChars += reasoning.unicodeScalars.count
        }
        for (position, call) in (delta["tool_calls"]?.array ?? []).enumerated() {
            let key = toolKey(for: call, position: position)
            let function = call["function"]
            try toolFragment(
                key: key, id: call["id"]?.string, name: function?["name"]?.string,
                arguments: function?["arguments"]?.string ?? "", &events
            )
        }
        if let legacy = delta["function_call"], case .object = legacy {
            try toolFragment(
                key: Self.legacyFunctionKey, id: nil, name: legacy["name"]?.string,
                arguments: legacy["arguments"]?.string ?? "", &events
            )
        }
    }

    /// The OpenAI `index` of a tool call fragment; providers that omit it get one from the id (a new id is a
    /// new call) or, failing that, the most recent call.
    private func toolKey(for call: JSONValue, position: Int) -> Int {
        if let index = call["index"]?.int { return index }
        if let id = call["id"]?.string, !id.isEmpty {
            if let existing = toolOrder.first(where: { tools[$0]?.id == id }) { return existing }
            return (toolOrder.filter { $0 >= 0 }.max() ?? -1) + 1
        }
        return toolOrder.last(where: { $0 >= 0 }) ?? position
    }

    private mutating func emitText(_ text: String, _ events: inout [AnthropicStreamEvent]) {
        startNamedPendingTools(except: nil, &events)
        let index: Int
        switch openBlock {
        case let .text(current):
            index = current
        case .tool, .none:
            stopOpenBlock(&events)
            index = nextBlockIndex
            nextBlockIndex += 1
            openBlock = .text(index: index)
            events.append(Self.blockStart(index: index, block: ["type": "text", "text": ""]))
        }
        events.append(Self.blockDelta(index: index, delta: ["type": "text_delta", "text": .string(text)]))
        outputTextChars += text.unicodeScalars.count
        firstContentSeen = true
    }

    private mutating func toolFragment(
        key: Int, id: String?, name: String?, arguments: String, _ events: inout [AnthropicStreamEvent]
    ) throws(ConversionError) {
        if tools[key] == nil {
            tools[key] = ToolState()
            toolOrder.append(key)
        }
        guard var tool = tools[key] else { return }
        if tool.closed {
            if !arguments.isEmpty {
                throw ConversionError(
                    .streamError, "upstream sent arguments for tool call \(key) after its content block was closed"
                )
            }
            return
        }
        if tool.id == nil, let id, !id.isEmpty { tool.id = id }
        if tool.name == nil, let name, !name.isEmpty { tool.name = name }
        if let blockIndex = tool.blockIndex {
            tools[key] = tool
            if !arguments.isEmpty {
                events.append(Self.blockDelta(
                    index: blockIndex, delta: ["type": "input_json_delta", "partial_json": .string(arguments)]
                ))
                outputTextChars += arguments.unicodeScalars.count
            }
            return
        }
        tool.pendingArguments += arguments
        tools[key] = tool
        if tool.id != nil && tool.name != nil {
            startNamedPendingTools(except: key, &events)
            startTool(key: key, &events)
        }
    }

    /// Starts, in order of appearance, the calls whose name is known but whose id never came.
    private mutating func startNamedPendingTools(except excluded: Int?, _ events: inout [AnthropicStreamEvent]) {
        for key in toolOrder where key != excluded {
            if let tool = tools[key], tool.blockIndex == nil, !tool.closed, tool.name != nil {
                startTool(key: key, &events)
            }
        }
    }

    private mutating func startTool(key: Int, _ events: inout [AnthropicStreamEvent]) {
        guard var tool = tools[key], let name = tool.name else { return }
        stopOpenBlock(&events)
        let index = nextBlockIndex
        nextBlockIndex += 1
        let id = tool.id ?? ConversionIDs.random(prefix: "toolu_")
        tool.id = id
        tool.blockIndex = index
        events.append(Self.blockStart(index: index, block: [
            "type": "tool_use", "id": .string(id), "name": .string(name), "input": .object([]),
        ]))
        if !tool.pendingArguments.isEmpty {
            events.append(Self.blockDelta(
                index: index, delta: ["type": "input_json_delta", "partial_json": .string(tool.pendingArguments)]
            ))
            outputTextChars += tool.pendingArguments.unicodeScalars.count
            tool.pendingArguments = ""
        }
        tools[key] = tool
        openBlock = .tool(key: key, index: index)
        toolCalls += 1
        firstContentSeen = true
    }

    private mutating func stopOpenBlock(_ events: inout [AnthropicStreamEvent]) {
        switch openBlock {
        case .none:
            return
        case let .text(index):
            events.append(Self.blockStop(index: index))
        case let .tool(key, index):
            events.append(Self.blockStop(index: index))
            tools[key]?.closed = true
        }
        openBlock = .none
    }

    private mutating func ensureStarted(_ events: inout [AnthropicStreamEvent]) {
        guard !started else { return }
        started = true
        events.append(AnthropicStreamEvent("message_start", [
            "type": "message_start",
            "message": [
                "id": .string(messageID),
                "type": "message",
                "role": "assistant",
                "model": .string(clientModel),
                "content": [],
                "stop_reason": nil,
                "stop_sequence": nil,
                "usage": TokenUsage.zero.anthropicJSON,
            ],
        ]))
        events.append(AnthropicStreamEvent("ping", ["type": "ping"]))
    }

    /// `text` without leading and trailing ASCII whitespace.
    private static func trimmed(_ text: String) -> Substring {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isSpace($0) }),
              let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[first...last]
    }

    // MARK: Event shapes

    private static func blockStart(index: Int, block: JSONValue) -> AnthropicStreamEvent {
        AnthropicStreamEvent("content_block_start", [
            "type": "content_block_start", "index": JSONValue(index), "content_block": block,
        ])
    }

    private static func blockDelta(index: Int, delta: JSONValue) -> AnthropicStreamEvent {
        AnthropicStreamEvent("content_block_delta", [
            "type": "content_block_delta", "index": JSONValue(index), "delta": delta,
        ])
    }

    private static func blockStop(index: Int) -> AnthropicStreamEvent {
        AnthropicStreamEvent("content_block_stop", ["type": "content_block_stop", "index": JSONValue(index)])
    }
}
