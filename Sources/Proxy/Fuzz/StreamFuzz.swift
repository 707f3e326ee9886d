import LogPipeline

/// Upstream streams on arbitrary bytes: `SSEParser` in random chunk splits, then what the forwarders
/// do with its events (`OpenAIStreamConverter` for OpenAI upstreams, `AnthropicStreamUsageTap` for
/// Anthropic passthrough). The split points come from a hash of the input, so an input always splits
/// the same way and the seeds are plain recorded streams.
package enum StreamFuzz {
    /// Small, so the fuzzer reaches the size limit; large enough for every seed event.
    static let eventLimit = 2048

    /// The SSE parser gives the same events, or fails the same way, however the bytes are chunked.
    static func runSSE(_ data: [UInt8]) throws(FuzzViolation) {
        let whole = parse([data])
        let split = parse(chunks(of: data))
        guard whole.events == split.events, whole.failed == split.failed else {
            throw FuzzViolation("chunking changed the events: \(whole.events.count) whole (failed \(whole.failed)) vs \(split.events.count) split (failed \(split.failed))")
        }
    }

    /// An OpenAI stream converted as `OpenAIForwarder` does; every event sent to the client keeps the
    /// Anthropic protocol and survives our own SSE encoding and parsing unchanged.
    static func runOpenAI(_ data: [UInt8]) throws(FuzzViolation) {
        var converter = OpenAIStreamConverter(messageID: "msg_fuzz", clientModel: "claude-fuzz", stopSequences: ["STOP"])
        var sent = converter.start()
        var parser = SSEParser(maximumEventBytes: eventLimit)
        var failed = false
        do {
            for chunk in chunks(of: data) {
                for event in try parser.feed(chunk) { sent += try converter.consume(data: event.data) }
            }
            for event in try parser.finish() { sent += try converter.consume(data: event.data) }
        } catch let error as ConversionError {
            failed = true
            sent.append(OpenAIStreamConverter.errorEvent(for: error))
        } catch {
            failed = true
            sent.append(OpenAIStreamConverter.errorEvent(type: "api_error", message: "\(error)"))
        }
        if !failed {
            // Complete: the closing events. Cut short: the forwarder's error event instead.
            sent += converter.isComplete
                ? converter.finish()
                : [OpenAIStreamConverter.errorEvent(type: "api_error", message: "stream ended before finish_reason")]
        }
        let usage = converter.usage
        guard usage.inputTokens >= 0, usage.outputTokens >= 0, usage.cacheReadTokens >= 0, usage.cacheCreationTokens >= 0 else {
            throw FuzzViolation("negative usage \(usage)")
        }
        try AnthropicProtocol.check(sent)
        try roundTrip(sent)
    }

    /// An Anthropic stream observed as `AnthropicForwarder` does: the tap sees the same whatever the
    /// chunking, and its counters stay non-negative.
    static func runAnthropic(_ data: [UInt8]) throws(FuzzViolation) {
        let split = tap(parse(chunks(of: data)).events)
        let whole = tap(parse([data]).events)
        guard split.usage == whole.usage, split.toolUses == whole.toolUses, split.stopReason == whole.stopReason,
              split.isComplete == whole.isComplete, split.outputTextChars == whole.outputTextChars,
              split.malformedEvents == whole.malformedEvents
        else { throw FuzzViolation("chunking changed what the tap saw") }
        guard split.toolUses >= 0, split.outputTextChars >= 0, split.malformedEvents >= 0 else {
            throw FuzzViolation("negative tap counter")
        }
    }

    private static func tap(_ events: [SSEEvent]) -> AnthropicStreamUsageTap {
        var tap = AnthropicStreamUsageTap()
        for event in events { tap.observe(event) }
        return tap
    }

    /// Events the parser delivered before it stopped (`failed`: the size limit).
    private static func parse(_ chunks: [[UInt8]]) -> (events: [SSEEvent], failed: Bool) {
        var parser = SSEParser(maximumEventBytes: eventLimit)
        var events: [SSEEvent] = []
        do {
            for chunk in chunks { events += try parser.feed(chunk) }
            events += try parser.finish()
        } catch {
            return (events, true)
        }
        return (events, false)
    }

    /// `data` cut at points drawn from a generator seeded with the input's FNV-1a hash (1 to 64
    /// bytes a piece, some pieces empty).
    package static func chunks(of data: [UInt8]) -> [[UInt8]] {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var rng = SplitMix64(state: hash)
        var out: [[UInt8]] = []
        var i = 0
        while i < data.count {
            let n = min(rng.below(65), data.count - i)
            out.append(Array(data[i..<(i + n)]))
            i += n
        }
        return out
    }

    /// Our encoder's bytes, read back by our parser, give the same names and payloads.
    private static func roundTrip(_ events: [AnthropicStreamEvent]) throws(FuzzViolation) {
        var parser = SSEParser()
        let parsed: [SSEEvent]
        do {
            parsed = try parser.feed(SSEEncoder.encode(events)) + parser.finish()
        } catch {
            throw FuzzViolation("our own SSE output did not parse: \(error)")
        }
        guard parsed.count == events.count else {
            throw FuzzViolation("\(events.count) events encoded, \(parsed.count) parsed back")
        }
        for (sent, back) in zip(events, parsed) {
            guard back.event == sent.name, (try? JSONValue.parse(back.data.utf8)) == sent.data else {
                throw FuzzViolation("event \(sent.name) did not survive encoding: \(back.data.prefix(200))")
            }
        }
    }
}

/// The order rules of an Anthropic stream as a client sees it: `message_start` first and once;
/// content blocks numbered 0, 1, 2… with deltas and a stop only for the open one, one open at a time;
/// `message_delta` then `message_stop` last; an `error` ends it; every payload's `type` is its name.
package enum AnthropicProtocol {
    package static func check(_ events: [AnthropicStreamEvent]) throws(FuzzViolation) {
        var open: Int?
        var next = 0
        var ended = false
        for (position, event) in events.enumerated() {
            func fail(_ why: String) -> FuzzViolation { FuzzViolation("event \(position) (\(event.name)): \(why)") }
            guard !ended else { throw fail("after the end of the stream") }
            guard event.data["type"]?.string == event.name else { throw fail("payload type is not the event name") }
            if position == 0, event.name != "message_start" { throw fail("the stream must open with message_start") }
            let index = event.data["index"]?.int
            switch event.name {
            case "message_start": if position != 0 { throw fail("second message_start") }
            case "ping": break
            case "content_block_start":
                guard open == nil, index == next else { throw fail("start of block \(index ?? -1), open \(open ?? -1), next \(next)") }
                open = index
                next += 1
            case "content_block_delta":
                guard let open, index == open else { throw fail("delta for block \(index ?? -1), open \(open ?? -1)") }
            case "content_block_stop":
                guard let current = open, index == current else { throw fail("stop of block \(index ?? -1), open \(open ?? -1)") }
                open = nil
            case "message_delta":
                guard open == nil else { throw fail("message_delta with block \(open ?? -1) open") }
            case "message_stop":
                guard position > 0, events[position - 1].name == "message_delta" else { throw fail("message_stop not after message_delta") }
                ended = true
            case "error": ended = true
            default: throw fail("unknown event")
            }
        }
    }
}
