public import Logging
import Foundation
import Synchronization

/// The process's one path from a log call to the sinks: stamps the instance id and the sequence
/// number exactly once per record (whatever the number of sinks), applies the downgrade filter,
/// lifts the correlation id and the structured payload out of the metadata, and fans out.
public final class LogRouter: Sendable {
    public let instanceID: String
    public let sink: any LogSink
    public let downgrade: DowngradeFilter
    public let level: Logger.Level
    private let sequence = Atomic<UInt64>(0)

    public init(sink: any LogSink, level: Logger.Level, downgrade: DowngradeFilter? = nil, instanceID: String? = nil) {
        self.sink = sink
        self.level = level
        self.downgrade = downgrade ?? DowngradeFilter(configuredLevel: level)
        self.instanceID = instanceID ?? UUID().uuidString.lowercased()
    }

    /// Number of records emitted so far (the last sequence number used).
    public var recordsEmitted: UInt64 { sequence.load(ordering: .relaxed) }

    public func makeHandler(label: String, metadataProvider: Logger.MetadataProvider? = CorrelationContext.metadataProvider) -> PipelineLogHandler {
        PipelineLogHandler(label: label, router: self, logLevel: level, metadataProvider: metadataProvider)
    }

    /// Installs this router as swift-log's backend for the whole process.
    public func bootstrap() {
        LoggingSystem.bootstrap({ label, provider in
            PipelineLogHandler(label: label, router: self, logLevel: self.level, metadataProvider: provider)
        }, metadataProvider: CorrelationContext.metadataProvider)
    }

    public func flush() { sink.flush() }

    func emit(label: String, event: LogEvent, handlerMetadata: Logger.Metadata, provider: Logger.MetadataProvider?) {
        // The correlation id and the payload are taken out of each source before anything is merged:
        // usually nothing else is left, so the hot path builds no merged dictionary. Precedence as
        // swift-log's: handler metadata < provider < the log call's own metadata.
        var handler = handlerMetadata
        var provided = provider?.get() ?? [:]
        var explicit = event.metadata ?? [:]
        let key = CorrelationContext.metadataKey
        var correlation: Logger.MetadataValue?
        if handler[key] != nil { correlation = handler.removeValue(forKey: key) }
        if provided[key] != nil { correlation = provided.removeValue(forKey: key) }
        if explicit[key] != nil { correlation = explicit.removeValue(forKey: key) }
        let correlationID = correlation.map(Self.text)
        var payload: (any StructuredPayload)?
        if case .stringConvertible(let value)? = explicit[PayloadKey.name], let box = value as? PayloadBox {
            payload = box.payload
            explicit.removeValue(forKey: PayloadKey.name)
        }
        var metadata = handler
        if !provided.isEmpty { metadata.merge(provided) { _, new in new } }
        if !explicit.isEmpty { metadata.merge(explicit) { _, new in new } }
        let written = downgrade.apply(level: event.level, label: label)
        let record = LogRecord(
            timestampMicros: WallClock.nowMicros(),
            level: written,
            originalLevel: written == event.level ? nil : event.level,
            message: event.message.description,
            logger: label,
            instanceID: instanceID,
            sequence: sequence.add(1, ordering: .relaxed).newValue,
            correlationID: correlationID,
            payload: payload,
            metadata: metadata,
            error: event.error,
            file: event.file,
            function: event.function,
            line: event.line
        )
        sink.write(record)
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        default: value.description
        }
    }
}

enum PayloadKey {
    static let name = "vdm.event"
}

extension Logger.Metadata {
    /// Metadata carrying a structured payload; log it with `logger.info("…", metadata: .payload(p))`.
    public static func payload(_ payload: some StructuredPayload) -> Logger.Metadata {
        [PayloadKey.name: .stringConvertible(PayloadBox(payload: payload))]
    }
}

/// Carries a payload through swift-log's metadata. A concrete final class, so the router's cast back
/// is a class check instead of a protocol-conformance lookup on every record.
final class PayloadBox: CustomStringConvertible, Sendable {
    let payload: any StructuredPayload
    init(payload: any StructuredPayload) { self.payload = payload }
    var description: String { payload.description }
}

/// swift-log handler that forwards to a `LogRouter`. A value type as swift-log requires: copies own
/// their level and metadata.
public struct PipelineLogHandler: LogHandler {
    public let label: String
    public let router: LogRouter
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, router: LogRouter, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.router = router
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        router.emit(label: label, event: event, handlerMetadata: metadata, provider: metadataProvider)
    }
}
