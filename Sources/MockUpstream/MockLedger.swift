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
}

/// The ledger: entries in order of arrival, at most `limit` (the oldest are dropped beyond it).
package final class MockLedger: Sendable {
    private struct Book: Sendable {
        var entries: [MockLedgerEntry] = []
        var seq = 0
        var dropped = 0
    }

    let limit: Int
    private let book = Mutex(Book())

    package init(limit: Int = 100_000) {
        self.limit = max(1, limit)
    }

    /// Opens an entry; its `seq` is the handle for `close`.
    package func open(path: String, format: String, model: String, stream: Bool) -> Int {
        book.withLock { book in
            book.seq += 1
            if book.entries.count >= limit {
                book.entries.removeFirst()
                book.dropped += 1
            }
            book.entries.append(MockLedgerEntry(seq: book.seq, path: path, format: format, model: model, stream: stream,
                                                outcome: .inProgress, status: 200, usage: .init()))
            return book.seq
        }
    }

    package func close(_ seq: Int, outcome: MockLedgerEntry.Outcome, status: Int = 200, usage: MockLedgerEntry.Usage = .init()) {
        book.withLock { book in
            guard let first = book.entries.first, seq >= first.seq, seq - first.seq < book.entries.count else { return }
            let index = seq - first.seq
            book.entries[index].outcome = outcome
            book.entries[index].status = status
            book.entries[index].usage = usage
        }
    }

    package func entries() -> [MockLedgerEntry] { book.withLock { $0.entries } }

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
