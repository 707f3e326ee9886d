// Directives that steer the mock upstream, written as `mock:NAME` or `mock:NAME=NUMBER` anywhere in
// a request's message texts (system prompt, message contents, tool results), or in an
// `x-mock-fault` header with the same syntax (several separated by spaces or commas).
//
// The proxy forwards message content untouched, so tests drive faults through the proxy this way.

package struct MockDirectives: Sendable, Equatable {
    /// `mock:latency=MS`: wait MS milliseconds before answering.
    package var latencyMilliseconds: Int?
    /// `mock:status=CODE`: answer with an error of this HTTP status (400…599) in the endpoint's format.
    package var status: Int?
    /// `mock:retry_after=S`: value of `retry-after` on an error reply (a 429 gets 1 when not given).
    var retryAfterSeconds: Int?
    /// `mock:cut=N`: close the connection abruptly after N stream events (streaming), or part-way
    /// through the body (non-streaming). The terminal event is never sent.
    package var cutAfterEvents: Int?
    /// `mock:malformed`: one `data:` line of invalid JSON mid-stream (non-streaming: truncated JSON body).
    package var malformed = false
    /// `mock:stream_error`: (streaming) an error event mid-stream (Anthropic `event: error`, OpenAI
    /// `data: {"error": …}`), then a clean end without message_stop / [DONE].
    package var streamError = false
    /// `mock:hang`: never answer until the client goes away (bounded by the configured hang limit).
    package var hang = false
    /// `mock:slowstream=MS`: wait MS milliseconds between stream events.
    package var slowStreamMilliseconds: Int?
    /// `mock:cache=N`: report N (clamped to the input) prompt tokens as read from cache.
    package var cacheReadTokens: Int?
    /// `mock:cache_create=N`: (Anthropic format) report N input tokens as written to cache.
    package var cacheCreationTokens: Int?
    /// `mock:tool`: reply with a tool call (when the request defines tools and tool_choice isn't none).
    package var tool = false
    /// `mock:tools=N`: reply with N parallel tool calls (implies `mock:tool`).
    package var toolCount: Int?

    /// Largest number accepted in a directive; larger values are clamped.
    package static let maximumValue = 10_000_000

    package init() {}

    package var isEmpty: Bool { self == MockDirectives() }

    /// Reads every directive found in `text`. Later occurrences override earlier ones.
    package mutating func scan(_ text: String) {
        var text = text
        text.withUTF8 { self.scan(bytes: $0) }
    }

    package mutating func scan(bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard count >= 6 else { return }
        var i = 0
        // "mock:" = 6D 6F 63 6B 3A
        while i + 5 <= count {
            guard bytes[i] == 0x6D, bytes[i + 1] == 0x6F, bytes[i + 2] == 0x63, bytes[i + 3] == 0x6B, bytes[i + 4] == 0x3A
            else {
                i += 1
                continue
            }
            var j = i + 5
            let nameStart = j
            while j < count, (bytes[j] >= 0x61 && bytes[j] <= 0x7A) || bytes[j] == 0x5F {
                j += 1
            }
            let nameEnd = j
            var value: Int?
            if j < count, bytes[j] == 0x3D {  // '='
                var k = j + 1
                var number = 0
                var digits = 0
                while k < count, bytes[k] >= 0x30, bytes[k] <= 0x39 {
                    if number <= Self.maximumValue {
                        number = number * 10 + Int(bytes[k] - 0x30)
                    }
                    digits += 1
                    k += 1
                }
                if digits > 0 {
                    value = min(number, Self.maximumValue)
                    j = k
                }
            }
            if nameEnd > nameStart {
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
                self.apply(name: name, value: value)
            }
            i = max(j, i + 1)
        }
    }

    private mutating func apply(name: String, value: Int?) {
        switch name {
        case "latency": if let value { latencyMilliseconds = value }
        case "status": if let value, (400...599).contains(value) { status = value }
        case "retry_after": if let value { retryAfterSeconds = value }
        case "cut": if let value { cutAfterEvents = value }
        case "malformed": malformed = true
        case "hang": hang = true
        case "stream_error": streamError = true
        case "slowstream": if let value { slowStreamMilliseconds = value }
        case "cache": if let value { cacheReadTokens = value }
        case "cache_create": if let value { cacheCreationTokens = value }
        case "tool": tool = true
        case "tools":
            tool = true
            if let value { toolCount = value }
        default: break
        }
    }

    /// The fault directives present, e.g. `latency=100 cut=3`, for log lines ("" when none).
    var faultSummary: String {
        var parts: [String] = []
        if let v = latencyMilliseconds { parts.append("latency=\(v)") }
        if let v = status { parts.append("status=\(v)") }
        if let v = cutAfterEvents { parts.append("cut=\(v)") }
        if malformed { parts.append("malformed") }
        if hang { parts.append("hang") }
        if streamError { parts.append("stream_error") }
        if let v = slowStreamMilliseconds { parts.append("slowstream=\(v)") }
        return parts.joined(separator: " ")
    }

    /// Combines directives: values set in `other` win.
    package mutating func merge(_ other: MockDirectives) {
        if let v = other.latencyMilliseconds { latencyMilliseconds = v }
        if let v = other.status { status = v }
        if let v = other.retryAfterSeconds { retryAfterSeconds = v }
        if let v = other.cutAfterEvents { cutAfterEvents = v }
        if other.malformed { malformed = true }
        if other.hang { hang = true }
        if other.streamError { streamError = true }
        if let v = other.slowStreamMilliseconds { slowStreamMilliseconds = v }
        if let v = other.cacheReadTokens { cacheReadTokens = v }
        if let v = other.cacheCreationTokens { cacheCreationTokens = v }
        if other.tool { tool = true }
        if let v = other.toolCount { toolCount = v }
    }
}
