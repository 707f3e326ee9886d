// The mock upstream's own account of every API request it answered: what it put on the wire, per
// request (`GET /mock/ledger`). Tests compute expected proxy totals from it alone — an oracle that
// shares no code with vdm's aggregation.

import Synchronization

/// One API request as the mock upstream answered it.
package struct MockLedgerEntry: Codable, Sendable, Equatable {
    /// The usage whose bytes the mock wrote before the reply ended or broke, Anthropic meaning
    /// (`input` excludes both cache counters). A stream counts only the events before a cut, a
    /// malformed event or an error event: what a client following the protocol can read. For
    /// count_tokens, `input` is the count answered.
    package struct Usage: Codable, Sendable, Equatable {
        package var input = 0
        package var output = 0
        package var cacheRead = 0
        package var cacheCreation = 0
        package var toolCalls = 0

        enum CodingKeys: String, CodingKey {
            case input, output
            case cacheRead = "cache_read"
            case cacheCreation = "cache_creation"
            case toolCalls = "tool_calls"
        }
    }

    package enum Outcome: String, Codable, Sendable {
        /// Still being answered (a stream in progress, a hang).
        case inProgress = "in_progress"
        /// The whole reply with its usage.
        case completed
        /// `mock:status`: an error reply.
        case status
        /// `mock:cut`: the connection dropped mid-reply.
        case cut
        /// `mock:malformed`: invalid JSON in the reply.
        case malformed
        /// `mock:stream_error`: an error event mid-stream.
        case streamError = "stream_error"
        /// `mock:hang` ended (the client left, or the hang limit).
        case hang
        /// The client (the proxy) closed the connection while the mock was still writing.
        case clientGone = "client_gone"
        /// The request could not be read (400, 413).
        case unreadable
    }

    /// Order of arrival, from 1.
    package var seq: Int
    package var path: String
    /// `openai` or `anthropic`.
    package var format: String
    /// The model the request named (empty when unreadable).
    package var model: String
    package var stream: Bool
    package var outcome: Outcome
    /// The HTTP status sent (200 for streams, whatever happens after the head).
    package var status: Int
    package var usage: Usage
    /// The W3C `traceparent` and `tracestate` the request carried (absent: none), cut to
    /// `MockLedger.maxTraceHeaderBytes`, so a test can check what vdm propagated.
    package var traceparent: String?
    package var tracestate: String?
}

/// The ledger: entries in order of arrival, at most `limit` (the oldest are dropped beyond it).
/// A ring, so that a long run (the soak's million requests) costs O(1) per request, not a shift.
package final class MockLedger: Sendable {
    private struct Book: Sendable {
        /// Up to `limit` entries; once full, `oldest` is where the oldest one is.
        var ring: [MockLedgerEntry] = []
        var oldest = 0
        var seq = 0
        var dropped = 0

        /// Where entry `seq` is, if still held.
        func index(of seq: Int) -> Int? {
            let first = self.seq - ring.count + 1
            guard seq >= first, seq <= self.seq else { return nil }
            return (oldest + (seq - first)) % ring.count
        }
    }

    let limit: Int
    private let book = Mutex(Book())

    package init(limit: Int = 100_000) {
        self.limit = max(1, limit)
    }

    /// Longest trace header value kept (the W3C limits are 55 and 512 bytes; more shows as cut).
    static let maxTraceHeaderBytes = 1_024

    /// Opens an entry; its `seq` is the handle for `close`.
    package func open(path: String, format: String, model: String, stream: Bool, traceparent: String? = nil, tracestate: String? = nil) -> Int {
        let traceparent = traceparent.map { String(decoding: $0.utf8.prefix(Self.maxTraceHeaderBytes), as: UTF8.self) }
        let tracestate = tracestate.map { String(decoding: $0.utf8.prefix(Self.maxTraceHeaderBytes), as: UTF8.self) }
        return book.withLock { book in
            book.seq += 1
            let entry = MockLedgerEntry(seq: book.seq, path: path, format: format, model: model, stream: stream,
                                        outcome: .inProgress, status: 200, usage: .init(),
                                        traceparent: traceparent, tracestate: tracestate)
            if book.ring.count < limit {
                book.ring.append(entry)
            } else {
                book.ring[book.oldest] = entry
                book.oldest = (book.oldest + 1) % limit
                book.dropped += 1
            }
            return book.seq
        }
    }

    package func close(_ seq: Int, outcome: MockLedgerEntry.Outcome, status: Int = 200, usage: MockLedgerEntry.Usage = .init()) {
        book.withLock { book in
            guard let index = book.index(of: seq) else { return }
            book.ring[index].outcome = outcome
            book.ring[index].status = status
            book.ring[index].usage = usage
        }
    }

    /// The entries held, oldest first.
    package func entries() -> [MockLedgerEntry] {
        book.withLock { $0.ring.count < limit ? $0.ring : Array($0.ring[$0.oldest...] + $0.ring[..<$0.oldest]) }
    }

    func reset() { book.withLock { $0 = Book() } }

    // MARK: What a reply reports

    /// The whole reply's usage.
    package static func usage(_ plan: MockReplyPlan) -> MockLedgerEntry.Usage {
        .init(input: plan.anthropicInputTokens, output: plan.outputTokens, cacheRead: plan.cacheRead, cacheCreation: plan.cacheCreation,
              toolCalls: plan.toolCalls.count)
    }

    /// The usage in the first `sent` events of a stream, up to the first malformed or error event.
    package static func usage(_ plan: MockReplyPlan, format: MockWireFormat, events: [String], sent: Int) -> MockLedgerEntry.Usage {
        var usage = MockLedgerEntry.Usage()
        for event in events.prefix(sent) {
            if event == MockRenderer.anthropicMalformedEvent || event == MockRenderer.anthropicErrorEvent
                || event == MockRenderer.openAIMalformedEvent || event == MockRenderer.openAIErrorEvent { break }
            switch format {
            case .anthropic:
                if event.hasPrefix("event: message_start\n") {
                    // message_start carries the input side and an output count of 1 (MockRenderer).
                    usage.input = plan.anthropicInputTokens
                    usage.cacheRead = plan.cacheRead
                    usage.cacheCreation = plan.cacheCreation
                    usage.output = 1
                } else if event.hasPrefix("event: message_delta\n") {
                    usage.output = plan.outputTokens
                } else if event.hasPrefix("event: content_block_start\n"), event.contains("\"type\":\"tool_use\"") {
                    usage.toolCalls += 1
                }
            case .openAI:
                if event.contains(",\"choices\":[],\"usage\":") {
                    usage.input = plan.anthropicInputTokens
                    usage.cacheRead = plan.cacheRead
                    usage.output = plan.outputTokens
                } else if event.contains("{\"tool_calls\":[{\"index\":"), event.contains(",\"type\":\"function\",") {
                    usage.toolCalls += 1
                }
            }
        }
        return usage
    }
}
