/// One Server-Sent Event as received.
package struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, nil when the event had none (the SSE default type "message").
    package var event: String?
    /// The `data:` lines joined with "\n".
    package var data: String
    /// The `id:` field given in this event's block, if any (not carried over from earlier events).
    package var id: String?

    package init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An event and the stream offset just past the line that completed it.
struct SSEEventSpan: Sendable, Equatable {
    var event: SSEEvent
    var end: Int
}

/// Why the SSE parser gave up.
package struct SSEParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The size limit a single event exceeded.
    var limit: Int

    package init(limit: Int) { self.limit = limit }

    package var description: String { "server-sent event larger than \(limit) bytes" }
}

/// Incremental Server-Sent-Events parser (WHATWG rules) fed arbitrary byte chunks.
///
/// Lines end with LF, CRLF or CR (a CRLF split across chunks counts once). `data:` lines are joined with
/// "\n"; one space after the colon is removed; comment lines (`:`) and `retry:`/unknown fields are ignored;
/// a blank line dispatches the event, and blocks without any `data:` line dispatch nothing. A leading UTF-8
/// BOM is skipped; invalid UTF-8 becomes U+FFFD. Unlike browsers, a final event without the trailing blank
/// line is delivered by `finish()` (an upstream that closes right after its last `data:` line loses nothing).
///
/// Bounded: when one event (its pending line plus the data gathered so far, or all its raw bytes since the
/// last event boundary) grows beyond `maximumEventBytes` the parser throws `SSEParserError` and stays failed;
/// memory never grows without limit, also for a relay that holds back the raw bytes of a pending event.
///
/// Offsets: `feedSpans` also tells where in the byte stream (counted from 0 over every chunk fed) each event
/// ended, and `boundary` is the offset just past the last line after which nothing is pending (an event
/// dispatched, a blank line, a comment between events). A relay that forwards raw bytes only up to those
/// offsets never forwards part of an event it has not seen whole (`AnthropicForwarder`).
package struct SSEParser: Sendable {
    package static let defaultMaximumEventBytes = 8 * 1024 * 1024

    let maximumEventBytes: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    private var eventID: String?
    private var afterCR = false
    private var atStreamStart = true
    private var failed = false
    /// Bytes consumed so far, over every chunk.
    package private(set) var offset = 0
    /// Offset just past the last line after which no event was pending.
    private(set) var boundary = 0

    package init(maximumEventBytes: Int = SSEParser.defaultMaximumEventBytes) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// Consumes a chunk and returns the events it completed, in order.
    package mutating func feed(_ chunk: some Collection<UInt8>) throws(SSEParserError) -> [SSEEvent] {
        var spans: [SSEEventSpan] = []
        try feedSpans(chunk, into: &spans)
        return spans.map(\.event)
    }

    /// Consumes a chunk and appends the events it completed, each with the stream offset where it ended.
    /// Events completed before an oversized one are appended before the error is thrown, so what a caller
    /// sees never depends on how the stream was cut into chunks.
    mutating func feedSpans(_ chunk: some Collection<UInt8>, into spans: inout [SSEEventSpan]) throws(SSEParserError) {
        guard !failed else { throw SSEParserError(limit: maximumEventBytes) }
        let outcome: Bool? = chunk.withContiguousStorageIfAvailable { buffer in
            consume(buffer, into: &spans)
        }
        let ok: Bool
        if let outcome {
            ok = outcome
        } else {
            ok = Array(chunk).withUnsafeBufferPointer { consume($0, into: &spans) }
        }
        guard ok else {
            failed = true
            line = []
            data = []
            throw SSEParserError(limit: maximumEventBytes)
        }
    }

    /// Ends the stream: processes an unterminated last line and delivers a pending event.
    package mutating func finish() throws(SSEParserError) -> [SSEEvent] {
        var spans: [SSEEventSpan] = []
        try finishSpans(into: &spans)
        return spans.map(\.event)
    }

    /// `finish()`, with offsets; afterwards `boundary == offset`.
    mutating func finishSpans(into spans: inout [SSEEventSpan]) throws(SSEParserError) {
        guard !failed else { throw SSEParserError(limit: maximumEventBytes) }
        if !line.isEmpty {
            processLine(into: &spans)
        }
        if let event = dispatch() {
            spans.append(SSEEventSpan(event: event, end: offset))
        }
        boundary = offset
        afterCR = false
    }

    /// Returns false when the size limit was exceeded.
    private mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>, into spans: inout [SSEEventSpan]) -> Bool {
        var index = 0
        let end = buffer.count
        let base = offset
        defer { offset = base + end }
        while index < end {
            if afterCR {
                afterCR = false
                if buffer[index] == 0x0A {
                    index += 1
                    // The LF of a CRLF split across chunks belongs to the line before.
                    if boundary == base + index - 1 { boundary = base + index }
                    continue
                }
            }
            var scan = index
            while scan < end, buffer[scan] != 0x0A, buffer[scan] != 0x0D {
                scan += 1
            }
            if scan > index {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<scan]))
                if line.count + data.count > maximumEventBytes || base + scan - boundary > maximumEventBytes { return false }
            }
            guard scan < end else { break }
            var lineEnd = scan + 1
            if buffer[scan] == 0x0D {
                if lineEnd < end, buffer[lineEnd] == 0x0A {
                    lineEnd += 1
                } else {
                    afterCR = true
                }
            }
            index = lineEnd
            offset = base + lineEnd
            processLine(into: &spans)
        }
        return true
    }

    /// Nothing of an event is pending (no data, name or id gathered).
    private var idle: Bool { !hasData && eventName == nil && eventID == nil }

    private mutating func processLine(into spans: inout [SSEEventSpan]) {
        defer {
            if idle { boundary = offset }
        }
        var events: [SSEEvent] = []
        defer { for event in events { spans.append(SSEEventSpan(event: event, end: offset)) } }
        defer { line.removeAll(keepingCapacity: true) }
        var start = 0
        if atStreamStart {
            atStreamStart = false
            if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { start = 3 }
        }
        if start == line.count {
            if let event = dispatch() { events.append(event) }
            return
        }
        if line[start] == UInt8(ascii: ":") { return } // comment
        var valueStart = line.count
        var fieldEnd = line.count
        if let colon = line[start...].firstIndex(of: UInt8(ascii: ":")) {
            fieldEnd = colon
            valueStart = colon + 1
            if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        }
        let field = line[start..<fieldEnd]
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8) {
            if !value.contains(0) { eventID = String(decoding: value, as: UTF8.self) }
        }
        // "retry" and unknown fields are ignored.
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventName = nil
            eventID = nil
        }
        guard hasData else { return nil }
        let name = eventName.flatMap { $0.isEmpty ? nil : $0 }
        return SSEEvent(event: name, data: String(decoding: data, as: UTF8.self), id: eventID)
    }
}
