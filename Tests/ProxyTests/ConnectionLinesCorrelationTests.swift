import Foundation
import LogPipeline
import Testing
import VDMProxy

/// Every line logged while a request is being served carries its id — AsyncHTTPClient's
/// connection-level lines too, which it logs outside the request's task ("connection closed"), or
/// inline inside another request's task: the router learns the connection → request mapping from
/// the request's own AsyncHTTPClient lines. (Without the mapping, this run had lines with no id or
/// with another request's id.)
@Suite struct ConnectionLinesCorrelationTests {
    @Test func asyncHTTPClientConnectionLinesCarryTheRequestsID() async throws {
        try await TestProxy.run(level: .debug) { e2e in
            // Concurrent waves force new connections; `mock:cut` makes the upstream close them mid-request.
            for wave in 0..<3 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<8 {
                        let text = i == 3 ? "wave \(wave) mock:cut=2" : "wave \(wave) request \(i)"
                        group.addTask { _ = try await e2e.post(body: anthropicBody(text: text, stream: i % 2 == 0)) }
                    }
                    try await group.waitForAll()
                }
            }
            let done = try await e2e.completed(count: 24)
            #expect(done.count == 24)
            let library = e2e.memory.all.filter { $0.logger.hasPrefix("AsyncHTTPClient") }
            let connectionLines = library.filter { $0.metadata[ConnectionAttribution.connectionKey] != nil }
            #expect(connectionLines.contains { $0.message == "connection closed" }, "the cut closed a connection mid-request: \(Set(library.map(\.message)))")
            let orphans = library.filter { $0.correlationID == nil }
            #expect(orphans.isEmpty, "\(orphans.count) AsyncHTTPClient lines without an id: \(Set(orphans.map(\.message)))")
            // And each carries the id of a request that really was in flight: one of ours.
            let ids = Set(done.map(\.requestID))
            #expect(library.allSatisfy { $0.correlationID.map(ids.contains) ?? false })
            // And that request's trace: the one its completed record carries (made in its task).
            let traces = Dictionary(uniqueKeysWithValues: e2e.memory.all.compactMap { r -> (String, TraceIDs?)? in
                guard let m = (r.payload as? RequestCompletedPayload)?.metrics else { return nil }
                return (m.requestID, r.trace)
            })
            let untraced = library.filter { $0.trace == nil || $0.trace != (traces[$0.correlationID ?? ""] ?? nil) }
            #expect(untraced.isEmpty, "\(untraced.count) AsyncHTTPClient lines without their request's trace: \(Set(untraced.map(\.message)))")
        }
    }

    /// A client's trace reaches AsyncHTTPClient's lines for its request: the literal trace id sent.
    @Test func asyncHTTPClientLinesCarryTheClientsTrace() async throws {
        try await TestProxy.run(level: .debug) { e2e in
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            _ = try await e2e.post(body: anthropicBody(text: "traced"), headers: [("traceparent", "00-\(traceID)-00f067aa0ba902b7-01")])
            let done = try await e2e.completed(count: 1)
            let id = try #require(done.first?.requestID)
            let library = e2e.memory.all.filter { $0.logger.hasPrefix("AsyncHTTPClient") && $0.correlationID == id }
            #expect(!library.isEmpty)
            #expect(library.allSatisfy { $0.trace?.traceID == traceID }, "\(library.map { ($0.message, $0.trace?.traceID ?? "none") })")
        }
    }
}
