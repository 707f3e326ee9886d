import Foundation
import LogPipeline
import Testing
@testable import VDMProxy

/// W3C Trace Context: the strict `traceparent` / `tracestate` reader against the spec's own examples
/// and rules (https://www.w3.org/TR/trace-context/), and end to end through a real proxy and the real
/// mock upstream, whose ledger records the `traceparent` it received (the independent oracle).
@Suite struct TraceContextTests {
    static let clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let clientParent = "00f067aa0ba902b7"
    static let clientHeader = "00-\(clientTrace)-\(clientParent)-01"

    // MARK: the reader

    @Test func validTraceparentsAreRead() throws {
        let p = try #require(TraceHeaders.parse(Self.clientHeader))
        #expect(p.traceID == Self.clientTrace && p.parentID == Self.clientParent && p.flags == 1)
        #expect(TraceHeaders.parse("00-\(Self.clientTrace)-\(Self.clientParent)-00")?.flags == 0)
        // A later version: the first 55 characters as version 00, the rest ignored after a '-'.
        #expect(TraceHeaders.parse("01-\(Self.clientTrace)-\(Self.clientParent)-01")?.traceID == Self.clientTrace)
        #expect(TraceHeaders.parse("cc-\(Self.clientTrace)-\(Self.clientParent)-01-what-the-future-holds")?.parentID == Self.clientParent)
    }

    @Test(arguments: [
        "",
        "00-\(clientTrace.uppercased())-\(clientParent)-01",  // upper-case hex
        "00-\(clientTrace)-\(clientParent.uppercased())-01",
        "00-00000000000000000000000000000000-\(clientParent)-01",  // all-zero trace-id
        "00-\(clientTrace)-0000000000000000-01",  // all-zero parent-id
        "ff-\(clientTrace)-\(clientParent)-01",  // version ff is invalid
        "00-\(clientTrace)-\(clientParent)-01-extra",  // version 00 is exactly 55 characters
        "01-\(clientTrace)-\(clientParent)-01x",  // a later version: after 55 characters, a '-'
        "0g-\(clientTrace)-\(clientParent)-01",
        "00-\(clientTrace)-\(clientParent)-0g",
        "00_\(clientTrace)_\(clientParent)_01",
        "00-\(clientTrace.dropLast())-\(clientParent)0-01",
        "00-\(clientTrace)-\(clientParent)-01".replacingOccurrences(of: "4bf9", with: "4b\u{1}9"),
        " 00-\(clientTrace)-\(clientParent)-01",
        String(repeating: "0", count: 10_000),
    ])
    func invalidTraceparentsAreRefused(_ value: String) {
        #expect(TraceHeaders.parse(value) == nil, "\(value.prefix(80))")
    }

    @Test func tracestateIsKeptOnlyWhenValidAndWithinItsBounds() {
        #expect(TraceHeaders.state(["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"]) == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        // Optional white space and empty members go; several headers are one list.
        #expect(TraceHeaders.state(["rojo=1 ,\t, congo=2", "t@sys=x y"]) == "rojo=1,congo=2,t@sys=x y")
        #expect(TraceHeaders.state([]) == nil)
        let members = (1...32).map { "k\($0)=v" }
        #expect(TraceHeaders.state([members.joined(separator: ",")]) == members.joined(separator: ","))
        #expect(TraceHeaders.state([(members + ["k33=v"]).joined(separator: ",")]) == nil)  // 33 members
        #expect(TraceHeaders.state(["a=1,a=2"]) == nil)  // a key twice
        #expect(TraceHeaders.state(["Rojo=1"]) == nil)  // keys are lower-case
        #expect(TraceHeaders.state(["rojo=a,b"]) == nil)  // ',' splits, "b" is no member
        #expect(TraceHeaders.state(["rojo=a=b"]) == nil)
        #expect(TraceHeaders.state(["rojo=x\u{7}"]) == nil)  // a control character
        #expect(TraceHeaders.state(["rojo= "]) == nil)  // an empty value (the space is white space around the member)
        #expect(TraceHeaders.state(["rojo=x "]) == "rojo=x")
        #expect(TraceHeaders.state([String(repeating: "a", count: 10_240)]) == nil)  // 10 KB
        // Over 512 bytes: the members over 128 characters go first, then from the end.
        let long = "big=" + String(repeating: "v", count: 200)
        let small = (1...20).map { "s\($0)=" + String(repeating: "x", count: 20) }
        let kept = TraceHeaders.state([([long] + small).joined(separator: ",")])
        #expect(kept?.hasPrefix("s1=") == true)
        #expect((kept?.utf8.count ?? 999) <= 512)
        #expect(kept?.split(separator: ",").count == 20)
    }

    /// Words from a list, in order (hand-written "randomness").
    struct ListedWords: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.isEmpty ? 1 : words.removeFirst() }
    }

    @Test func idsAreTheGeneratorsBytesInHexAndNeverAllZero() {
        var g = ListedWords(words: [0, 0x0123_4567_89AB_CDEF, 0xFFEE_DDCC_BBAA_0099, 0x1])
        // An all-zero id is invalid (W3C): drawn again.
        #expect(TraceIDs.randomID(bytes: 8, using: &g) == "efcdab8967452301")
        #expect(TraceIDs.randomID(bytes: 16, using: &g) == "9900aabbccddeeff0100000000000000")
    }

    @Test func aNewTraceIsRandomValidAndSeeded() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("TraceContextTests seed \(seed)")
        var g = SplitMix64(state: seed)
        var seen: Set<String> = []
        for _ in 0..<200 {
            let ids = TraceHeaders.context(traceparent: [], tracestate: ["rojo=1"], using: &g)
            #expect(TraceIDs.isID(ids.traceID, digits: 32) && TraceIDs.isID(ids.spanID, digits: 16))
            #expect(ids.state == nil && ids.flags == 1)
            seen.insert(ids.traceID)
        }
        #expect(seen.count == 200)
        // Two traceparent headers: neither is the parent.
        let two = TraceHeaders.context(traceparent: [Self.clientHeader, Self.clientHeader], tracestate: [], using: &g)
        #expect(two.traceID != Self.clientTrace)
    }

    // MARK: end to end

    /// The mock's ledger entries (`GET /mock/ledger`), oldest first.
    static func ledger(_ e2e: E2E) async throws -> [[String: Any]] {
        try #require(try await MockTestClient.json(e2e.mock, get: "/mock/ledger") as? [[String: Any]])
    }

    /// The completed record of the request that answered `reply`, and every record of that request.
    static func records(_ e2e: E2E, _ reply: TestHTTP.Reply, completedSoFar: Int) async throws -> (RequestMetrics, [LogRecord]) {
        let id = try #require(reply.fields["x-request-id"])
        let completed = try await e2e.completed(count: completedSoFar)
        let metrics = try #require(completed.first { $0.requestID == id })
        return (metrics, e2e.records(for: id))
    }

    @Test(.timeLimit(.minutes(2)), arguments: [("openai:gpt-4o", false), ("openai:gpt-4o", true),
                                               ("anthropic:claude-sonnet-4", false), ("anthropic:claude-sonnet-4", true)])
    func aClientTraceReachesTheUpstreamUnderVdmsSpan(model: String, stream: Bool) async throws {
        try await E2E.run { e2e in
            let reply = try await e2e.post(body: anthropicBody(model: model, stream: stream),
                                           headers: [("traceparent", Self.clientHeader), ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")])
            #expect(reply.status == 200)
            let (_, records) = try await Self.records(e2e, reply, completedSoFar: 1)
            let entry = try #require(try await Self.ledger(e2e).last)
            let sent = try #require(entry["traceparent"] as? String)
            let parts = sent.split(separator: "-").map(String.init)
            #expect(parts.count == 4 && parts[0] == "00" && parts[3] == "01", "\(sent)")
            #expect(parts[1] == Self.clientTrace)
            #expect(parts[2] != Self.clientParent && TraceIDs.isID(parts[2], digits: 16))
            #expect(entry["tracestate"] as? String == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
            // Every record of the request made inside it carries the trace and the span sent upstream.
            let completed = try #require(records.first { $0.payload is RequestCompletedPayload })
            #expect(completed.trace?.traceID == Self.clientTrace && completed.trace?.spanID == parts[2])
            #expect(records.contains { $0.payload is RequestStartedPayload && $0.trace == completed.trace })
            let line = ECSJSONEncoder().encode(completed)
            #expect(line.contains(#""trace.id":"\#(Self.clientTrace)","span.id":"\#(parts[2])""#), "\(line)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withoutATraceparentVdmStartsOne() async throws {
        try await E2E.run { e2e in
            var traces: Set<String> = []
            for n in 1...3 {
                let reply = try await e2e.post(body: anthropicBody(model: n == 2 ? "anthropic:claude-sonnet-4" : "openai:gpt-4o"))
                #expect(reply.status == 200)
                let (_, records) = try await Self.records(e2e, reply, completedSoFar: n)
                let sent = try #require(try await Self.ledger(e2e).last?["traceparent"] as? String)
                let parts = sent.split(separator: "-").map(String.init)
                #expect(parts.count == 4 && parts[0] == "00" && parts[3] == "01", "\(sent)")
                #expect(TraceIDs.isID(parts[1], digits: 32) && TraceIDs.isID(parts[2], digits: 16))
                let completed = try #require(records.first { $0.payload is RequestCompletedPayload })
                #expect(completed.trace?.traceID == parts[1] && completed.trace?.spanID == parts[2])
                #expect(try await Self.ledger(e2e).last?["tracestate"] == nil)
                traces.insert(parts[1])
            }
            #expect(traces.count == 3)
        }
    }

    static let hostile: [(String, String)] = [
        ("traceparent", "00-" + String(repeating: "a", count: 4_000) + "-\(clientParent)-01"),
        ("traceparent", "00-\(clientTrace.uppercased())-\(clientParent)-01"),
        ("traceparent", "00-00000000000000000000000000000000-0000000000000000-01"),
        ("traceparent", "00-\(clientTrace)-\(clientParent)"),  // cut short
        ("traceparent", "ff-\(clientTrace)-\(clientParent)-01"),
    ]

    @Test(.timeLimit(.minutes(2)))
    func hostileHeadersStartANewTraceAndStayOutOfTheRecords() async throws {
        try await E2E.run { e2e in
            var n = 0
            for (name, value) in Self.hostile {
                n += 1
                let reply = try await e2e.post(body: anthropicBody(), headers: [(name, value), ("tracestate", "a=" + String(repeating: "b", count: 10_240))])
                #expect(reply.status == 200, "\(value.prefix(60))")
                let (_, records) = try await Self.records(e2e, reply, completedSoFar: n)
                let entry = try #require(try await Self.ledger(e2e).last)
                let sent = try #require(entry["traceparent"] as? String)
                #expect(!sent.contains(Self.clientTrace) && !sent.uppercased().contains(Self.clientTrace.uppercased()), "\(sent)")
                #expect(sent.utf8.count == 55)
                #expect(entry["tracestate"] == nil)
                for record in records {
                    let line = ECSJSONEncoder().encode(record)
                    #expect(!line.contains(String(repeating: "b", count: 100)) && !line.contains(String(repeating: "a", count: 100)))
                    #expect(line.utf8.count < 4_096)
                }
                let completed = try #require(records.first { $0.payload is RequestCompletedPayload })
                #expect(completed.trace.map { sent.contains($0.traceID) && sent.contains($0.spanID) } == true)
            }
            // Control characters no well-behaved client sends: over a raw connection. Whatever the
            // HTTP parser makes of it, the proxy answers, and the value is in no record.
            let body = String(decoding: anthropicBody(), as: UTF8.self)
            let raw = try await RawHTTPConnection.with(port: e2e.proxy.port) { connection in
                try await connection.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "traceparent: 00-\(Self.clientTrace)\u{1}-\(Self.clientParent)-01\r\ntracestate: a=\u{1b}[31m\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
                return try await connection.readToEnd()
            }
            #expect(raw.hasPrefix("HTTP/1.1 "), "\(raw.prefix(200))")
            if raw.hasPrefix("HTTP/1.1 200") { _ = try await e2e.completed(count: n + 1) }
            let all = e2e.memory.all.map { ECSJSONEncoder().encode($0) }.joined()
            #expect(!all.contains(Self.clientTrace) && !all.contains("[31m"))

            // A valid traceparent with a 10 KB tracestate: the trace is kept, the state dropped.
            let reply = try await e2e.post(body: anthropicBody(), headers: [("traceparent", Self.clientHeader),
                                                                             ("tracestate", "a=" + String(repeating: "b", count: 10_240))])
            #expect(reply.status == 200)
            let entry = try #require(try await Self.ledger(e2e).last)
            #expect((entry["traceparent"] as? String)?.contains(Self.clientTrace) == true)
            #expect(entry["tracestate"] == nil)
        }
    }
}
