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
    /// Every queue behind `sink`, checked after each record for a drop report that is due.
    private let dropCounters: [SinkDropCounter]
    /// A drop WARNING is being logged: its own records do not start another (nor do other threads').
    private let reportingDrops = Atomic<Bool>(false)
    /// Set by `close()` before any sink closes, so a record logged meanwhile (an event loop's late
    /// DEBUG line at shutdown) is dropped here, for every sink at once, instead of reaching the sinks
    /// still open and being counted as a queue drop by those already closed.
    private let closed = Atomic<Bool>(false)
    private let afterClose = Atomic<UInt64>(0)
    /// Request ids for AsyncHTTPClient's connection-level lines (see `ConnectionAttribution`).
    package let connections = ConnectionAttribution()

    public init(sink: any LogSink, level: Logger.Level, downgrade: DowngradeFilter? = nil, instanceID: String? = nil) {
        self.sink = sink
        self.dropCounters = sink.dropCounters
        self.level = level
        self.downgrade = downgrade ?? DowngradeFilter(configuredLevel: level)
        self.instanceID = instanceID ?? UUID().uuidString.lowercased()
    }

    /// Number of records emitted so far (the last sequence number used).
    public var recordsEmitted: UInt64 { sequence.load(ordering: .relaxed) }

    /// A handler whose metadata provider is `CorrelationContext.metadataProvider`.
    public func makeHandler(label: String) -> PipelineLogHandler {
        PipelineLogHandler(label: label, router: self, logLevel: level)
    }

    public func makeHandler(label: String, metadataProvider: Logger.MetadataProvider?) -> PipelineLogHandler {
        PipelineLogHandler(label: label, router: self, logLevel: level, metadataProvider: metadataProvider)
    }

    /// Installs this router as swift-log's backend for the whole process, with
    /// `CorrelationContext.metadataProvider` as the process's metadata provider.
    public func bootstrap() {
        LoggingSystem.bootstrap({ label, _ in
            PipelineLogHandler(label: label, router: self, logLevel: self.level)
        }, metadataProvider: CorrelationContext.metadataProvider)
    }

    public func flush() { sink.flush() }

    /// Flushes and closes every sink (at shutdown). Idempotent; later records are dropped and counted
    /// in `recordsAfterClose` (not as queue drops: no output is full, the process is ending).
    public func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        sink.close()
    }

    /// Records logged after `close()`, which no output received.
    public var recordsAfterClose: UInt64 { afterClose.load(ordering: .relaxed) }

    /// File outputs open their paths anew (SIGHUP after logrotate).
    public func reopen() -> [SinkReopen] { sink.reopen() }

    /// Records each queue dropped so far, by sink name (for `vdm_log_records_dropped_total`).
    public var droppedRecords: [(sink: String, dropped: UInt64)] { dropCounters.map { ($0.sink, $0.dropped) } }

    /// Logs the drop WARNINGs that are due (`SinkDropCounter`'s rate limit) as ordinary records, so
    /// they reach every other output with an instance and a sequence of their own.
    private func reportDrops() {
        // The per-record cost: one relaxed load per queue; the exchange only when a report is due.
        guard dropCounters.contains(where: \.reportDue),
              reportingDrops.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        defer { reportingDrops.store(false, ordering: .releasing) }
        for counter in dropCounters {
            guard let text = counter.takeReport() else { continue }
            Logger(label: Self.dropLoggerLabel) { self.makeHandler(label: $0) }.warning("\(text)")
        }
    }

    public static let dropLoggerLabel = "vdm.log"

    /// `correlationFromTask`: the handler's provider is `CorrelationContext.metadataProvider`, so the
    /// id is read from the task-local directly instead of through the dictionary the provider builds.
    /// `noisy`: the handler's label matched the downgrade filter.
    func emit(label: String, event: LogEvent, handlerMetadata: Logger.Metadata, provider: Logger.MetadataProvider?,
              correlationFromTask: Bool, noisy: Bool) {
        guard !closed.load(ordering: .relaxed) else {
            afterClose.add(1, ordering: .relaxed)
            return
        }
        // The correlation id and the payload are lifted out of each source as it is read: usually
        // nothing else is left, so the hot path hashes nothing and builds no merged dictionary.
        // Precedence as swift-log's: handler metadata < provider < the log call's own metadata.
        var fields = LiftedMetadata()
        fields.absorb(handlerMetadata)
        // The trace ids come from the task-local, or, for a line logged outside its request's task
        // (AsyncHTTPClient's), from its request logger's declaration or its connection's request.
        let bound = CorrelationContext.current
        if correlationFromTask {
            if let context = bound { fields.correlationID = context.id }
        } else if let provided = provider?.get() {
            fields.absorb(provided, declared: false)
        }
        if let explicit = event.metadata { fields.absorb(explicit, payloads: true) }
        let message = event.message.description
        // Only lines with metadata can name a connection: our own records have none and skip this.
        var attributedTrace = fields.declaredTrace
        if !fields.metadata.isEmpty {
            let served = connections.attribute(correlationID: fields.correlationID, declaredID: fields.declaredID,
                                               declaredTrace: fields.declaredTrace, metadata: fields.metadata, message: message)
            fields.correlationID = served?.id
            attributedTrace = served?.trace
        }
        let written = downgrade.apply(level: event.level, noisy: noisy)
        let record = LogRecord(
            timestampMicros: WallClock.nowMicros(),
            level: written,
            originalLevel: written == event.level ? nil : event.level,
            message: message,
            logger: label,
            instanceID: instanceID,
            sequence: sequence.add(1, ordering: .relaxed).newValue,
            correlationID: fields.correlationID,
            trace: bound.flatMap { $0.id == fields.correlationID ? $0.trace : nil } ?? attributedTrace,
            payload: fields.payload,
            metadata: fields.metadata,
            error: event.error,
            file: event.file,
            function: event.function,
            line: event.line
        )
        sink.write(record)
        if !dropCounters.isEmpty { reportDrops() }
    }
}
