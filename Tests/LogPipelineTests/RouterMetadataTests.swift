import Logging
import LogPipeline
import Testing

/// The router lifts the correlation id and the payload out of three metadata sources without merging
/// dictionaries; the result must be what swift-log's precedence gives: handler < provider < call.
@Suite struct RouterMetadataTests {
    static let key = CorrelationContext.metadataKey

    func logged(handlerMetadata: Logger.Metadata = [:], provider: Logger.MetadataProvider? = nil, context: String? = nil,
                call: Logger.Metadata? = nil) throws -> LogRecord {
        let c = Captured()
        var handler = provider.map { c.router.makeHandler(label: "vdm.test", metadataProvider: $0) } ?? c.router.makeHandler(label: "vdm.test")
        handler.metadata = handlerMetadata
        let logger = Logger(label: "vdm.test") { _ in handler }
        CorrelationContext.$current.withValue(context.map { CorrelationContext(id: $0) }) {
            logger.info("m", metadata: call)
        }
        return try #require(c.records.first)
    }

    @Test func correlationIDFollowsSwiftLogPrecedence() throws {
        #expect(try logged(handlerMetadata: [Self.key: "h"]).correlationID == "h")
        #expect(try logged(handlerMetadata: [Self.key: "h"], context: "p").correlationID == "p")
        #expect(try logged(handlerMetadata: [Self.key: "h"], context: "p", call: [Self.key: "e"]).correlationID == "e")
        #expect(try logged(context: "p").correlationID == "p")
        #expect(try logged().correlationID == nil)
    }

    /// A trace declared with an id (AsyncHTTPClient's request logger) goes with that id only: a
    /// later source that names another request does not inherit it, and the key never stays metadata.
    @Test func aDeclaredTraceGoesWithTheIDDeclaredBesideIt() throws {
        let trace = try #require(TraceIDs(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7"))
        let declared: Logger.Metadata = [Self.key: "x", CorrelationContext.traceMetadataKey: CorrelationContext.traceMetadata(trace)]
        let own = try logged(handlerMetadata: declared)
        #expect(own.correlationID == "x")
        #expect(own.trace == trace)
        #expect(own.metadata.isEmpty)
        let other = try logged(handlerMetadata: declared, call: [Self.key: "y"])
        #expect(other.correlationID == "y")
        #expect(other.trace == nil)
        let alone = try logged(handlerMetadata: [CorrelationContext.traceMetadataKey: CorrelationContext.traceMetadata(trace)])
        #expect(alone.trace == nil)
    }

    @Test func otherMetadataMergesWithLaterSourcesWinning() throws {
        let metrics = RequestMetrics(requestID: "r", requestedModel: "m")
        var call: Logger.Metadata = .payload(RequestCompletedPayload(metrics: metrics))
        call["b"] = "call"
        call["c"] = "call"
        let record = try logged(handlerMetadata: ["a": "handler", "b": "handler"],
                                provider: Logger.MetadataProvider { ["c": "provider", "d": "provider"] }, call: call)
        #expect(record.metadata == ["a": "handler", "b": "call", "c": "call", "d": "provider"])
        #expect(record.payload?.action == EventAction.requestCompleted)
        #expect(record.correlationID == nil)
    }

    @Test func aCustomProviderIsAskedInsteadOfTheTaskLocal() throws {
        let custom = Logger.MetadataProvider { [Self.key: "custom", "tenant": "t"] }
        let record = try logged(provider: custom, context: "task")
        #expect(record.correlationID == "custom")
        #expect(record.metadata == ["tenant": "t"])
    }

    @Test func replacingTheProviderOnAHandlerIsHonoured() throws {
        let c = Captured()
        var handler = c.router.makeHandler(label: "vdm.test")
        handler.metadataProvider = Logger.MetadataProvider { [Self.key: "replaced"] }
        let logger = Logger(label: "vdm.test") { _ in handler }
        CorrelationContext.$current.withValue(CorrelationContext(id: "task")) { logger.info("m") }
        #expect(c.records.first?.correlationID == "replaced")
    }

    @Test func aPayloadKeyThatCarriesNoPayloadStaysMetadata() throws {
        let record = try logged(call: ["vdm.event": "just text"])
        #expect(record.payload == nil)
        #expect(record.metadata == ["vdm.event": "just text"])
    }
}
