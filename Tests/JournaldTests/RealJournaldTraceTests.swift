import Foundation
import LogPipeline
import Testing
@testable import Journald

/// The request's W3C trace context in the real journald (part of the serialized `RealJournaldTests`,
/// which stop and restart that journald).
extension RealJournaldTests {
    @Test func traceIDsAreJournalFieldsAndInTheRecordCopy() throws {
        let env = try JournaldTestEnvironment.require()
        let id = correlationID()
        let trace = try #require(TraceIDs(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7"))
        var traced = factory.record("completed", correlationID: id, payload: RequestCompletedPayload(metrics: metrics(id)))
        traced.trace = trace
        let plain = factory.record("outside any request")
        try send([traced, plain], env)

        let entries = try env.journalctlJSON([factory.instanceMatch])
        try #require(entries.count == 2)
        func text(_ entry: [String: [UInt8]], _ name: String) -> String? { entry[name].map { String(decoding: $0, as: UTF8.self) } }
        #expect(text(entries[0], "VDM_TRACE_ID") == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(text(entries[0], "VDM_SPAN_ID") == "00f067aa0ba902b7")
        #expect(text(entries[0], "VDM_ECS_JSON")?.contains(#""trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","span.id":"00f067aa0ba902b7""#) == true)
        #expect(entries[1]["VDM_TRACE_ID"] == nil && entries[1]["VDM_SPAN_ID"] == nil)
        // journalctl finds the trace's entries by the field.
        let byTrace = try env.journalctlJSON(["VDM_TRACE_ID=4bf92f3577b34da6a3ce929d0e0e4736", factory.instanceMatch])
        #expect(byTrace.count == 1)
    }
}
