import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import Testing
import VDMProxy

/// N requests are N records, whatever ids clients send: concurrent requests that reuse one
/// `x-request-id` (or send none) each get their own record, and the totals equal the upstream's own
/// count of what it served.
@Suite struct RequestIdentityTests {
    static let concurrent = 20

    @Test func concurrentRequestsSharingOneClientIDAreSeparateRecords() async throws {
        try await E2E.run { e2e in
            // Half reuse one client id, half send none; every reply must carry a distinct vdm id.
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<Self.concurrent {
                    let headers = i % 2 == 0 ? [("x-request-id", "same-id-for-all")] : []
                    group.addTask {
                        let reply = try await e2e.post(body: anthropicBody(text: "hello \(i) mock:latency=50", stream: i % 4 < 2), headers: headers)
                        #expect(reply.status == 200)
                        return try #require(reply.headers.first(name: "x-request-id"))
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(ids).count == Self.concurrent, "every request has its own id")
            let done = try await e2e.completed(count: Self.concurrent)
            #expect(done.count == Self.concurrent)
            #expect(Set(done.map(\.requestID)) == Set(ids))
            #expect(done.filter { $0.clientRequestID == "same-id-for-all" }.count == Self.concurrent / 2)
            // The upstream's own ledger is the oracle: it served exactly these tokens.
            let ledger = e2e.mock.state.snapshot()
            #expect(ledger.completedReplies == Self.concurrent)
            #expect(done.reduce(0) { $0 + $1.inputTokens + $1.cacheReadTokens } == ledger.inputTokens + ledger.cacheReadTokens)
            #expect(done.reduce(0) { $0 + $1.outputTokens } == ledger.outputTokens)
            let totals = await e2e.proxy.tracker.runningTotals(includeActive: false).summary
            #expect(totals.requests == Self.concurrent)
            #expect(totals.outputTokens == ledger.outputTokens)
            // One started and one completed record per vdm id.
            for id in ids {
                let mine = e2e.records(for: id)
                #expect(mine.filter { $0.payload?.action == "request.started" }.count == 1, "\(id)")
                #expect(mine.filter { $0.payload?.action == "request.completed" }.count == 1, "\(id)")
            }
        }
    }

    @Test func aSecretShapedClientIDIsRedactedWhereverItIsKept() async throws {
        try await E2E.run { e2e in
            let secretID = "sk-proj-clientIdLooksLikeAKey0123456789abcd"
            let reply = try await e2e.post(body: anthropicBody(), headers: [("x-request-id", secretID)])
            #expect(reply.status == 200)
            #expect(!(reply.headers.first(name: "x-request-id") ?? "").contains(secretID))
            let done = try await e2e.completed(count: 1)
            let kept = try #require(done.first?.clientRequestID)
            #expect(!kept.contains("clientIdLooksLikeAKey"))
            #expect(kept.contains("[redacted:"))
            e2e.proxy.server.logs.flush()
            let file = try String(contentsOfFile: e2e.jsonPath, encoding: .utf8)
            #expect(!file.contains("clientIdLooksLikeAKey"))
        }
    }
}
