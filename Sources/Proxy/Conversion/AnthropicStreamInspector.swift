/// The passthrough relay's gate: takes the upstream's raw chunks and returns the bytes that may be relayed,
/// exactly as they came, up to the end of the last event that is whole and valid. Each event is parsed
/// once, checked by `AnthropicStreamValidator` and read by `AnthropicStreamUsageTap`.
///
/// Bytes of an event not yet complete are held back (at most `SSEParser.maximumEventBytes`, which the parser
/// enforces over an event's raw bytes); comments and keep-alives between events go through as soon as their
/// line is complete. At the first failure (`failure`: oversized event, non-JSON payload, protocol violation)
/// nothing from that event on is returned, whatever the chunking: the caller sends an `event: error`.
package struct AnthropicStreamInspector: Sendable {
    package private(set) var tap = AnthropicStreamUsageTap()
    package private(set) var failure: (any Error & Sendable)?
    private var parser = SSEParser()
    private var validator = AnthropicStreamValidator()
    /// Received bytes not yet returned; `pending[0]` is at stream offset `pendingStart`.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    package init() {}

    /// The bytes of `chunk` (and of earlier chunks held back) that may now be relayed.
    package mutating func feed(_ chunk: some Collection<UInt8>) -> [UInt8] {
        guard failure == nil else { return [] }
        pending.append(contentsOf: chunk)
        var spans: [SSEEventSpan] = []
        do {
            try parser.feedSpans(chunk, into: &spans)
        } catch {
            return release(spans, parserFailure: error)
        }
        return release(spans, parserFailure: nil)
    }

    /// The end of the upstream stream: a last event without its blank line is judged too.
    package mutating func finish() -> [UInt8] {
        guard failure == nil else { return [] }
        var spans: [SSEEventSpan] = []
        do {
            try parser.finishSpans(into: &spans)
        } catch {
            return release(spans, parserFailure: error)
        }
        return release(spans, parserFailure: nil)
    }

    private mutating func release(_ spans: [SSEEventSpan], parserFailure: SSEParserError?) -> [UInt8] {
        var end = pendingStart
        for span in spans {
            do {
                try inspect(span.event)
            } catch {
                failure = error
                return take(upTo: end)
            }
            end = span.end
        }
        if let parserFailure {
            failure = parserFailure
            return take(upTo: end)
        }
        return take(upTo: max(end, parser.boundary))
    }

    private mutating func inspect(_ event: SSEEvent) throws(ConversionError) {
        let payload: JSONValue
        do {
            payload = try JSONValue.parse(event.data.utf8)
        } catch {
            throw ConversionError(.streamError, "invalid Anthropic stream: event payload is not JSON (\(error))")
        }
        try validator.check(payload: payload)
        tap.observe(name: event.event, payload: payload)
    }

    private mutating func take(upTo end: Int) -> [UInt8] {
        let count = max(0, end - pendingStart)
        let out = Array(pending.prefix(count))
        pending.removeFirst(count)
        pendingStart += count
        if failure != nil { pending = [] }
        return out
    }
}
