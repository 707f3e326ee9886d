// Running totals of what the mock upstream reported, and a ring of the last requests it received.

package import Hummingbird
import Synchronization

/// Kinds of injected faults, as counted in `/mock/stats`.
enum MockFaultKind: String, Sendable, CaseIterable {
    case latency, status, cut, malformed, hang, slowstream
    case streamError = "stream_error"
}

/// Snapshot of `/mock/stats`. Token totals follow Anthropic semantics: `input_tokens` excludes both
/// cache counters (for OpenAI replies: prompt_tokens − cached_tokens).
package struct MockStatsSnapshot: Codable, Sendable, Equatable {
    package struct ByFormat: Codable, Sendable, Equatable {
        package var openai = 0
        package var anthropic = 0
        package var countTokens = 0

        package init(openai: Int = 0, anthropic: Int = 0, countTokens: Int = 0) {
            self.openai = openai
            self.anthropic = anthropic
            self.countTokens = countTokens
        }

        enum CodingKeys: String, CodingKey {
            case openai, anthropic
            case countTokens = "count_tokens"
        }
    }

    package struct Faults: Codable, Sendable, Equatable {
        package var latency = 0
        package var status = 0
        package var cut = 0
        package var malformed = 0
        package var hang = 0
        package var slowstream = 0
        package var streamError = 0

        package var total: Int { latency + status + cut + malformed + hang + slowstream + streamError }

        enum CodingKeys: String, CodingKey {
            case latency, status, cut, malformed, hang, slowstream
            case streamError = "stream_error"
        }

        subscript(kind: MockFaultKind) -> Int {
            get {
                switch kind {
                case .latency: latency
                case .status: status
                case .cut: cut
                case .malformed: malformed
                case .hang: hang
                case .slowstream: slowstream
                case .streamError: streamError
                }
            }
            set {
                switch kind {
                case .latency: latency = newValue
                case .status: status = newValue
                case .cut: cut = newValue
                case .malformed: malformed = newValue
                case .hang: hang = newValue
                case .slowstream: slowstream = newValue
                case .streamError: streamError = newValue
                }
            }
        }
    }

    /// API requests received (chat completions, messages, count_tokens), faulted or not.
    package var requests = 0
    package init() {}

    package var requestsByFormat = ByFormat()
    package var streamingRequests = 0
    /// Replies that completed with usage (not error statuses, hangs, cut connections, malformed
    /// non-streaming bodies or mid-stream errors). Token totals add up these replies only.
    package var completedReplies = 0
    package var inputTokens = 0
    package var outputTokens = 0
    package var cacheReadTokens = 0
    package var cacheCreationTokens = 0
    package var toolCalls = 0
    package var faults = Faults()
    /// Requests currently held by `mock:hang` (a gauge, not reset by `/mock/reset`).
    package var activeHangs = 0

    enum CodingKeys: String, CodingKey {
        case requests
        case requestsByFormat = "requests_by_format"
        case streamingRequests = "streaming_requests"
        case completedReplies = "completed_replies"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheReadTokens = "cache_read_tokens"
        case cacheCreationTokens = "cache_creation_tokens"
        case toolCalls = "tool_calls"
        case faults
        case activeHangs = "active_hangs"
    }
}

/// One recorded request, as `/mock/requests` lists it. Credential headers are replaced by
/// `<redacted:len=N,last4=XXXX>` (`last4` only for values of 12 characters or more).
package struct MockRecordedRequest: Codable, Sendable, Equatable {
    package var seq: Int
    package var method: String
    package var path: String
    /// Lowercased header names; repeated headers joined with ", ".
    package var headers: [String: String]
    package var bodyLength: Int
    /// The body as UTF-8 text (lossy), truncated to the recorder's per-entry limit.
    package var body: String
    package var bodyTruncated: Bool

    enum CodingKeys: String, CodingKey {
        case seq, method, path, headers, body
        case bodyLength = "body_length"
        case bodyTruncated = "body_truncated"
    }
}

package final class MockUpstreamState: Sendable {
    /// Headers whose values are replaced by a length/last-4 marker.
    static let credentialHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie",
    ]

    private struct Entry: Sendable {
        var seq: Int
        var method: String
        var path: String
        var headers: HTTPFields
        var body: ByteBuffer
        var bodyLength: Int
    }

    private struct Ring: Sendable {
        var entries: [Entry] = []
        var next = 0
        var seq = 0
        var lastBody: ByteBuffer?
    }

    let recordLimit: Int
    /// Bodies longer than this are kept truncated in the ring (the last body is always kept whole).
    let recordBodyLimit: Int
    /// What the mock reported for each API request (`/mock/ledger`).
    package let ledger = MockLedger()
    private let stats = Mutex(MockStatsSnapshot())
    private let ring = Mutex(Ring())

    package init(recordLimit: Int = 256, recordBodyLimit: Int = 1 << 20) {
        self.recordLimit = max(1, recordLimit)
        self.recordBodyLimit = max(0, recordBodyLimit)
    }

    // MARK: Stats

    package func snapshot() -> MockStatsSnapshot {
        stats.withLock { $0 }
    }

    package func update(_ body: (inout MockStatsSnapshot) -> Void) {
        stats.withLock { body(&$0) }
    }

    func countFault(_ kind: MockFaultKind) {
        stats.withLock { $0.faults[kind] += 1 }
    }

    /// Clears the totals and the recorded requests. The `active_hangs` gauge is kept.
    func reset() {
        stats.withLock {
            let hangs = $0.activeHangs
            $0 = MockStatsSnapshot()
            $0.activeHangs = hangs
        }
        ring.withLock { $0 = Ring() }
        ledger.reset()
    }

    // MARK: Recording

    package func record(method: String, path: String, headers: HTTPFields, body: ByteBuffer) {
        let limit = recordBodyLimit
        let stored = body.readableBytes > limit ? body.getSlice(at: body.readerIndex, length: limit) ?? ByteBuffer() : body
        ring.withLock { ring in
            ring.seq += 1
            let entry = Entry(seq: ring.seq, method: method, path: path, headers: headers, body: stored, bodyLength: body.readableBytes)
            if ring.entries.count < recordLimit {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
            }
            ring.next = (ring.next + 1) % recordLimit
            ring.lastBody = body
        }
    }

    /// Recorded requests, oldest first.
    package func recordedRequests() -> [MockRecordedRequest] {
        let entries: [Entry] = ring.withLock { ring in
            if ring.entries.count < recordLimit {
                return ring.entries
            }
            return Array(ring.entries[ring.next...] + ring.entries[..<ring.next])
        }
        return entries.map { entry in
            var headers: [String: String] = [:]
            for field in entry.headers {
                let name = field.name.canonicalName
                let value = Self.credentialHeaders.contains(name) ? Self.redact(field.value) : field.value
                if let existing = headers[name] {
                    headers[name] = existing + ", " + value
                } else {
                    headers[name] = value
                }
            }
            return MockRecordedRequest(
                seq: entry.seq,
                method: entry.method,
                path: entry.path,
                headers: headers,
                bodyLength: entry.bodyLength,
                body: String(decoding: entry.body.readableBytesView, as: UTF8.self),
                bodyTruncated: entry.body.readableBytes < entry.bodyLength
            )
        }
    }

    /// The exact bytes of the last recorded request body.
    package func lastBody() -> ByteBuffer? {
        ring.withLock { $0.lastBody }
    }

    package static func redact(_ value: String) -> String {
        let count = value.count
        if count >= 12 {
            return "<redacted:len=\(count),last4=\(value.suffix(4))>"
        }
        return "<redacted:len=\(count)>"
    }
}
