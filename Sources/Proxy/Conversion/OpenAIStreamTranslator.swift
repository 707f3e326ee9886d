/// The whole OpenAI → Anthropic stream path between the upstream's bytes and the client's: SSE parsing,
/// conversion, encoding. The forwarder only moves bytes and records; tests drive this same value with any
/// chunking.
///
/// What it returns depends only on the upstream's bytes, never on where its chunk boundaries fall: every
/// event completed before a failure is converted and returned before the failure is noted, and after it
/// nothing more is returned (the caller ends the stream with an `event: error` for `failureDetail`).
package struct OpenAIStreamTranslator: Sendable {
    package private(set) var converter: OpenAIStreamConverter
    /// Why the stream failed, e.g. "sent a bad stream: …" (the caller prefixes "Upstream 'NAME' "); nil while
    /// it is fine.
    package private(set) var failureDetail: String?
    private var parser = SSEParser()

    package init(converter: OpenAIStreamConverter) {
        self.converter = converter
    }

    /// `message_start` and `ping`.
    package mutating func start() -> [UInt8] {
        SSEEncoder.encode(converter.start())
    }

    /// The client bytes for one upstream chunk.
    package mutating func feed(_ chunk: some Collection<UInt8>) -> [UInt8] {
        guard failureDetail == nil else { return [] }
        var spans: [SSEEventSpan] = []
        var parseFailure: SSEParserError?
        do { try parser.feedSpans(chunk, into: &spans) } catch { parseFailure = error }
        let out = convert(spans)
        if failureDetail == nil, let parseFailure { failureDetail = "sent a bad stream: \(parseFailure)" }
        return out
    }

    /// The upstream ended: the last events and, on a complete stream, the closing events. Afterwards
    /// `failureDetail` is set when the stream did not end properly (cut, or a call `finish` rejects).
    package mutating func finish() -> [UInt8] {
        guard failureDetail == nil else { return [] }
        var spans: [SSEEventSpan] = []
        var out: [UInt8] = []
        do {
            try parser.finishSpans(into: &spans)
            out = convert(spans)
        } catch {
            failureDetail = "sent a bad stream: \(error)"
        }
        guard failureDetail == nil else { return out }
        guard converter.isComplete else {
            failureDetail = "stream ended before finish_reason"
            return out
        }
        // A usage outside RecordBounds ends the stream with an error, not with closing events that
        // would carry it (the forwarder records it as upstream_bad_usage).
        if let why = converter.usage.violation {
            failureDetail = "reported unusable token usage: \(why)"
            return out
        }
        let closing = converter.finish()
        if let failure = converter.failure {
            failureDetail = "sent a bad stream: \(failure.message)"
            return out
        }
        return out + SSEEncoder.encode(closing)
    }

    /// Notes a failure the caller saw (the transport), so that nothing more is returned.
    package mutating func fail(_ detail: String) {
        if failureDetail == nil { failureDetail = detail }
    }

    private mutating func convert(_ spans: [SSEEventSpan]) -> [UInt8] {
        var events: [AnthropicStreamEvent] = []
        for span in spans {
            do {
                events += try converter.consume(data: span.event.data)
            } catch {
                failureDetail = "sent a bad stream: \(error.message)"
                break
            }
        }
        return SSEEncoder.encode(events)
    }
}
