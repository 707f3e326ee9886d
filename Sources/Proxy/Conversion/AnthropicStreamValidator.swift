import LogPipeline

/// Checks that an Anthropic-format stream relayed unchanged (passthrough) follows the Messages streaming
/// protocol (docs/wire-formats: message_start, then blocks strictly one after another with indices from 0,
/// message_delta, message_stop; `ping` and `error` anywhere). The relay forwards an event only after it
/// passed, so a client never receives an event the protocol does not allow; the first violation is a
/// `ConversionError` `.streamError`, which the relay turns into `stream_error` and an `event: error`, as the
/// OpenAI path does for a stream it cannot convert.
///
/// Checked: the payload is a JSON object with a string `type`; order (one `message_start` first, a block
/// delta or stop only for the open block, no `message_delta`/`message_stop` while a block is open, nothing
/// but `ping` after `message_stop`); the fields the relay and the tap read have their types (`message`,
/// `content_block`, `delta` objects; `index` an integer). Event types the protocol may add later pass
/// unchecked inside a message, as Anthropic asks clients to tolerate them. Usage is not judged here:
/// `AnthropicStreamUsageTap` reads it under the one rule for both formats (`TokenUsage`: a counter
/// that is not an integer within `RecordBounds.tokens` makes the request `upstream_bad_usage`).
struct AnthropicStreamValidator: Sendable {
    private enum Phase: Sendable {
        case beforeMessage
        case inMessage
        case afterMessageStop
    }

    private var phase: Phase = .beforeMessage
    private var openBlock: Int?
    private var nextBlockIndex = 0

    init() {}

    /// Checks the next event; `payload` is its parsed `data`.
    mutating func check(payload: JSONValue) throws(ConversionError) {
        guard case .object = payload else { throw Self.violation("event payload is not a JSON object") }
        guard let type = payload["type"]?.string else { throw Self.violation("event payload has no string \"type\"") }
        switch type {
        case "ping", "error":
            return
        default:
            break
        }
        if phase == .afterMessageStop { throw Self.violation("\(type) after message_stop") }
        switch type {
        case "message_start":
            guard phase == .beforeMessage else { throw Self.violation("second message_start") }
            guard let message = payload["message"], case .object = message else {
                throw Self.violation("message_start without a message object")
            }
            phase = .inMessage
            return
        default:
            guard phase == .inMessage else { throw Self.violation("\(type) before message_start") }
        }
        switch type {
        case "content_block_start":
            let index = try Self.index(of: payload, in: type)
            if let open = openBlock { throw Self.violation("content_block_start \(index) while block \(open) is open") }
            guard index == nextBlockIndex else {
                throw Self.violation("content_block_start index \(index), expected \(nextBlockIndex)")
            }
            guard let block = payload["content_block"], case .object = block, block["type"]?.string != nil else {
                throw Self.violation("content_block_start without a typed content_block")
            }
            openBlock = index
            nextBlockIndex += 1
        case "content_block_delta":
            let index = try Self.index(of: payload, in: type)
            guard index == openBlock else { throw Self.violation("content_block_delta for block \(index), which is not open") }
            guard let delta = payload["delta"], case .object = delta else {
                throw Self.violation("content_block_delta without a delta object")
            }
        case "content_block_stop":
            let index = try Self.index(of: payload, in: type)
            guard index == openBlock else { throw Self.violation("content_block_stop for block \(index), which is not open") }
            openBlock = nil
        case "message_delta":
            if let open = openBlock { throw Self.violation("message_delta while block \(open) is open") }
            guard let delta = payload["delta"], case .object = delta else {
                throw Self.violation("message_delta without a delta object")
            }
        case "message_stop":
            if let open = openBlock { throw Self.violation("message_stop while block \(open) is open") }
            phase = .afterMessageStop
        default:
            break // a newer event type: relayed as is
        }
    }

    private static func index(of payload: JSONValue, in type: String) throws(ConversionError) -> Int {
        guard let index = payload["index"]?.int else { throw violation("\(type) without an integer index") }
        return index
    }

    private static func violation(_ detail: String) -> ConversionError {
        ConversionError(.streamError, "invalid Anthropic stream: \(detail)")
    }
}
