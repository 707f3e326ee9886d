import Foundation
import LogPipeline
import Testing
import VDMProxy

/// Memory is bounded for every client-controlled string: ten requests naming an 8 MB model leave
/// nothing of that size in the tracker, the live views or the records.
@Suite struct BoundedStringsTests {
    @Test func hugeModelNamesAreNotKept() async throws {
        try await E2E.run { e2e in
            let huge = "openai:" + String(repeating: "m", count: 8 << 20)
            for stream in [false, true] {
                for _ in 0..<5 {
                    let reply = try await e2e.post(body: anthropicBody(model: huge, stream: stream))
                    #expect((400...599).contains(reply.status))
                    #expect(reply.body.count < 64 << 10, "the error body does not echo the name whole")
                }
            }
            let done = try await e2e.completed(count: 10)
            #expect(done.count == 10)
            for m in done {
                #expect(m.requestedModel.utf8.count <= RecordBounds.maxModelBytes)
                #expect(m.resolvedModel.utf8.count <= RecordBounds.maxModelBytes)
                #expect((m.error ?? "").utf8.count <= RecordBounds.maxErrorMessageBytes)
            }
            for path in ["/metrics/logs", "/metrics/running-totals", "/metrics/active-requests", "/metrics"] {
                let view = try await e2e.get(path)
                #expect(view.status == 200, "\(path)")
                #expect(view.body.count < 256 << 10, "\(path) is \(view.body.count) bytes")
            }
            e2e.proxy.server.logs.flush()
            let size = try FileManager.default.attributesOfItem(atPath: e2e.jsonPath)[.size] as? Int ?? 0
            #expect(size < 1 << 20, "the JSON log holds \(size) bytes for 10 requests")
        }
    }
}
