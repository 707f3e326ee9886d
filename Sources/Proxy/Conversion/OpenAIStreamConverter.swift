/// Converts an OpenAI Chat Completions stream into an Anthropic Messages stream, one upstream `data:` payload
/// at a time. A value type: the caller owns it and drives it from one task.
///
/// Use: `start()` once (message_start + ping), `consume(data:)` for every upstream `data:` payload, `finish()`
/// when the upstream stream ends; encode the returned events with `AnthropicStreamEvent.bytes`.
///
/// The output depends only on the sequence of payloads, never on how the upstream cut its bytes (the
/// `SSEParser` in front reassembles events), and it is what the non-streaming conversion of the same reply
/// would be (`OpenAIToAnthropicResponse`), block for block.
///
/// Guarantees for the Anthropic client:
/// - content blocks strictly one after another, integer indices from 0, every `content_block_start` matched
///   by a `content_block_stop` before the next start;
/// - text streams live: one text block, opened on the first non-empty text delta (empty deltas are skipped)
///   and kept open for every later text delta, also when tool-call fragments come in between;
/// - tool calls are assembled per OpenAI `index` and sent whole when the upstream message is complete (in
///   `finish()`), in index order, each as `content_block_start` (`input: {}`), one `input_json_delta` with the
///   whole input, `content_block_stop`. Why: OpenAI has no end marker per call, so fragments for any index
///   (parallel calls interleaved, a name split over several deltas, which the OpenAI SDKs concatenate) may
///   come until the finish_reason, while an Anthropic block, once started, can neither be reopened nor have
///   its name amended. The cost is that a client sees a call's input only at the end of the turn; the time
///   to first token still counts from the first fragment received (`firstContentSeen`). The input is the
///   one `OpenAIToAnthropicResponse.toolInput` makes of the arguments (unparsable → `raw_arguments`), so a
///   client never receives JSON it cannot parse. A call without a name at the end is `.upstreamMalformed`,
///   as in the non-streaming conversion; a call without an id gets a generated `toolu_` id;
/// - the upstream is read to its end: the usage chunk that OpenAI sends AFTER the finish_reason chunk
///   (`choices: []` + `usage`) is what `message_delta.usage` reports;
/// - at the end: stop the text block, the tool blocks, `message_delta` (`stop_reason`, `stop_sequence`, full
///   usage), `message_stop`. A stream that produced no block at all gets one empty text block, like the
///   non-streaming conversion.
///
/// Failures: malformed JSON in a payload throws `ConversionError` `.streamError`; a payload carrying an
/// `error` object (OpenRouter and others report mid-stream failures that way) throws `.upstreamError`; tool
/// calls larger than `maximumToolBytes` in all throw `.streamError` (memory stays bounded). The caller then
/// sends `errorEvent(...)` and ends the response. A stream that ends with neither a finish_reason nor
/// `[DONE]` (connection cut) is not complete: `isComplete` is false and `finish()` only stops the open block
/// — no `message_delta`/`message_stop`, and no half-received tool call — so the caller must send an error
/// event. `finish()` itself can fail the stream (a call without a name): check `isComplete` after it.
///
/// Reasoning deltas (`reasoning_content` / `reasoning`) are not forwarded (an Anthropic thinking block needs a
/// signature), but they count in `outputTextChars`.
package struct OpenAIStreamConverter: Sendable {
    let messageID: String
    let clientModel: String
    package let stopSequences: [String]
    /// Most bytes of tool-call ids, names and arguments held until the end (plus `perCallBytes` per call).
    let maximumToolBytes: Int

    /// What each buffered call costs beyond its strings, so that many empty calls are bounded too.
    package static let perCallBytes = 64

    /// Usage from the last upstream chunk that carried a `usage` object (zeros until then).
    package private(set) var usage: TokenUsage = .zero
    /// Whether any upstream chunk carried usage.
    package private(set) var sawUsage = false
    /// tool_use blocks sent so far (all of them in `finish()`).
    package private(set) var toolCalls = 0
    /// The Anthropic stop_reason; set by `finish()` on a complete stream.
    package private(set) var stopReason: String?
    /// The matched stop sequence, when `stopReason` is `stop_sequence`.
    package private(set) var stopSequence: String?
    /// The upstream's raw finish_reason, once seen.
    private(set) var finishReason: String?
    package private(set) var sawFinishReason = false
    package private(set) var sawDone = false
    /// Characters of output so far (text, tool arguments and reasoning), for live token estimates.
    package private(set) var outputTextChars = 0
    /// Becomes true with the first text delta or tool-call fragment received (time to first token).
    package private(set) var firstContentSeen = false
    /// `finish()` was called.
    package private(set) var isFinished = false

    /// The error `consume` (or `finish`) failed with, if any.
    package private(set) var failure: ConversionError?

    /// The upstream ended properly: it sent a finish_reason or `[DONE]`, and nothing failed.
    package var isComplete: Bool { failure == nil && (sawFinishReason || sawDone) }

    /// One tool call as assembled so far from its fragments.
    private struct ToolCall: Sendable {
        package var id = ""
        package var name = ""
        var arguments = ""
    }

    private var started = false
    private var nextBlockIndex = 0
    /// The index of the open text block, if one is open.
    private var textBlock: Int?
    private var calls: [Int: ToolCall] = [:]
    /// Keys in order of first appearance (for fragments without an `index`).
    private var callOrder: [Int] = []
    private var legacyCall: ToolCall?
    /// Calls of a type other than `function` (not representable, skipped as in the non-streaming conversion).
    private var skippedKeys: Set<Int> = []
    private var bufferedToolBytes = 0
    private var matchedStop: String?

    package init(messageID: String, clientModel: String, stopSequences: [String], maximumToolBytes: Int = MessagesHandler.maxUpstreamBody) {
        self.messageID = messageID
        self.clientModel = clientModel
        self.stopSequences = stopSequences
        self.maximumToolBytes = maximumToolBytes
    }

    // MARK: Driving

    /// `message_start` (usage all zero: the input tokens are not known yet) and one `ping`. Returns nothing
    /// when already started (`consume` and `finish` start implicitly).
    package mutating func start() -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        ensureStarted(&events)
        return events
    }

    /// Handles one upstream `data:` payload (`[DONE]` included) and returns the events to send.
    /// After it throws, the converter is failed: later payloads are ignored and `finish()` only stops the
    /// open block (the caller sends `errorEvent(for:)` instead of a normal ending).
    package mutating func consume(data: String) throws(ConversionError) -> [AnthropicStreamEvent] {
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
    package mutating func finish() -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        ensureStarted(&events)
        guard !isFinished else { return events }
        isFinished = true
        guard isComplete else {
            stopTextBlock(&events)
            return events
        }
        var toolEvents: [AnthropicStreamEvent] = []
        do {
            try emitToolCalls(&toolEvents)
        } catch {
            failure = error
            stopTextBlock(&events)
            return events
        }
        stopTextBlock(&events)
        events += toolEvents
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
    package static func errorEvent(type: String, message: String) -> AnthropicStreamEvent {
        AnthropicStreamEvent("error", ["type": "error", "error": ["type": .string(type), "message": .string(message)]])
    }

    /// The `event: error` for a conversion failure.
    package static func errorEvent(for error: ConversionError) -> AnthropicStreamEvent {
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
            // Only the first fragment names the type; later ones of a skipped call stay skipped.
            if let type = call["type"]?.string, type != "function", skippedKeys.insert(key).inserted {
                try charge(Self.perCallBytes)
            }
            if skippedKeys.contains(key) { continue }
            if calls[key] == nil {
                try charge(Self.perCallBytes)
                calls[key] = ToolCall()
                callOrder.append(key)
            }
            var assembled = calls[key] ?? ToolCall()
            try append(call, to: &assembled)
            calls[key] = assembled
        }
        if let legacy = delta["function_call"], case .object = legacy {
            if legacyCall == nil { try charge(Self.perCallBytes) }
            var assembled = legacyCall ?? ToolCall()
            try append(["function": legacy], to: &assembled)
            legacyCall = assembled
        }
    }

    /// Adds one fragment to a call, the way the OpenAI SDKs accumulate: the first non-empty id is the call's
    /// id (providers that repeat it on every fragment stay correct), name and argument pieces are appended.
    private mutating func append(_ fragment: JSONValue, to call: inout ToolCall) throws(ConversionError) {
        let function = fragment["function"]
        if call.id.isEmpty, let id = fragment["id"]?.string, !id.isEmpty {
            try charge(id.utf8.count)
            call.id = id
        }
        if let name = function?["name"]?.string, !name.isEmpty {
            try charge(name.utf8.count)
            call.name += name
            firstContentSeen = true
        }
        if let arguments = function?["arguments"]?.string, !arguments.isEmpty {
            try charge(arguments.utf8.count)
            call.arguments += arguments
            outputTextChars += arguments.unicodeScalars.count
            firstContentSeen = true
        }
    }

    private mutating func charge(_ bytes: Int) throws(ConversionError) {
        bufferedToolBytes += bytes
        if bufferedToolBytes > maximumToolBytes {
            throw ConversionError(.streamError, "upstream tool calls exceed \(maximumToolBytes) bytes")
        }
    }

    /// The OpenAI `index` of a tool call fragment; providers that omit it get one from the id (a new id is a
    /// new call) or, failing that, the most recent call.
    private func toolKey(for call: JSONValue, position: Int) -> Int {
        if let index = call["index"]?.int { return index }
        if let id = call["id"]?.string, !id.isEmpty {
            if let existing = callOrder.first(where: { calls[$0]?.id == id }) { return existing }
            return (callOrder.max() ?? -1) + 1
        }
        return callOrder.last ?? position
    }

    private mutating func emitText(_ text: String, _ events: inout [AnthropicStreamEvent]) {
        let index: Int
        if let open = textBlock {
            index = open
        } else {
            index = nextBlockIndex
            nextBlockIndex += 1
            textBlock = index
            events.append(Self.blockStart(index: index, block: ["type": "text", "text": ""]))
        }
        events.append(Self.blockDelta(index: index, delta: ["type": "text_delta", "text": .string(text)]))
        outputTextChars += text.unicodeScalars.count
        firstContentSeen = true
    }

    /// Every assembled call as a whole tool_use block, in index order (a legacy `function_call` last).
    private mutating func emitToolCalls(_ events: inout [AnthropicStreamEvent]) throws(ConversionError) {
        var ordered = calls.sorted { $0.key < $1.key }.map(\.value)
        if let legacyCall { ordered.append(legacyCall) }
        if let position = ordered.firstIndex(where: { $0.name.isEmpty }) {
            throw ConversionError(.upstreamMalformed, "upstream tool call \(position) has no function name")
        }
        for call in ordered {
            let index = nextBlockIndex
            nextBlockIndex += 1
            let id = call.id.isEmpty ? ConversionIDs.random(prefix: "toolu_") : call.id
            events.append(Self.blockStart(index: index, block: [
                "type": "tool_use", "id": .string(id), "name": .string(call.name), "input": .object([]),
            ]))
            let input = OpenAIToAnthropicResponse.toolInput(.string(call.arguments))
            events.append(Self.blockDelta(
                index: index, delta: ["type": "input_json_delta", "partial_json": .string(input.compactText)]
            ))
            events.append(Self.blockStop(index: index))
            toolCalls += 1
        }
    }

    private mutating func stopTextBlock(_ events: inout [AnthropicStreamEvent]) {
        guard let index = textBlock else { return }
        events.append(Self.blockStop(index: index))
        textBlock = nil
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
