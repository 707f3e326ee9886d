import Logging
import LogPipeline
import Synchronization

/// swift-otel's diagnostic logger. swift-otel 1.6.0 says what became of each log batch only in its
/// diagnostic lines (its exporters and processors are not public API), so this handler reads them:
/// `Exported batch.` and `Failed to export batch.` (with `batch_size`) settle records the OTLP log sink
/// handed over, and a failed batch or `Log records were dropped …` (`dropped_count`) is counted as
/// dropped in the sink's `SinkDropCounter`. `OTLPExportTests` fails if a swift-otel update changes
/// these lines. Other warnings (a failed metrics export) go to vdm's own log, at most one per
/// `forwardInterval`, so a receiver that is down cannot flood the logs it is meant to receive.
struct OTLPDiagnostics: LogHandler {
    let ledger: OTLPDeliveryLedger
    var metadata: Logger.Metadata = [:]

    /// swift-otel's diagnostic logger, and its services' group's.
    static func logger(_ ledger: OTLPDeliveryLedger) -> Logger {
        Logger(label: "swift-otel") { _ in OTLPDiagnostics(ledger: ledger) }
    }

    /// Fixed at debug, whatever swift-otel (or `OTEL_LOG_LEVEL`) sets: the batch lines are debug lines.
    var logLevel: Logger.Level {
        get { .debug }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
        let message = event.message.description
        if case .string(let component)? = fields["component"], component == "OTelBatchLogRecordProcessor" {
            switch message {
            case "Exported batch.":
                ledger.settled(Self.count(fields["batch_size"]), failed: false)
                return
            case "Failed to export batch.":
                ledger.settled(Self.count(fields["batch_size"]), failed: true)
            case "Log records were dropped this iteration because queue was full":
                ledger.droppedInside(Self.count(fields["dropped_count"]))
            default:
                break
            }
        }
        guard event.level >= .warning else { return }
        let error = event.error.map { " | Error: \($0)" } ?? ""
        ledger.forward("OTLP export: \(message)\(error)")
    }

    private static func count(_ value: Logger.Metadata.Value?) -> Int {
        guard let value, let n = Int(value.description), n > 0 else { return 0 }
        return n
    }
}

/// What the OTLP log sink has handed to swift-otel and what swift-otel has finished with: the sink
/// stops handing over while `inFlight` is at its window, so its own queue (under `SinkQueuePolicy`)
/// is the one that fills, waits boundedly and counts drops.
final class OTLPDeliveryLedger: Sendable {
    let drops: SinkDropCounter
    static let forwardInterval: Duration = .seconds(10)

    private struct State {
        var inFlight = 0
        var exported: UInt64 = 0
        var failed: UInt64 = 0
        var lastForward: ContinuousClock.Instant?
        var logger: Logger?
        var onSettle: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    init(drops: SinkDropCounter) { self.drops = drops }

    /// Where forwarded diagnostics go (set once vdm's logger exists) and whom to wake on a settle.
    func connect(logger: Logger) { state.withLock { $0.logger = logger } }
    func onSettle(_ wake: @escaping @Sendable () -> Void) { state.withLock { $0.onSettle = wake } }

    func handedOver(_ n: Int) { state.withLock { $0.inFlight += n } }
    var inFlight: Int { state.withLock { $0.inFlight } }
    /// Records the receiver accepted, and records lost in failed exports.
    var exported: UInt64 { state.withLock { $0.exported } }
    var failed: UInt64 { state.withLock { $0.failed } }

    func settled(_ n: Int, failed: Bool) {
        let wake = state.withLock { state -> (@Sendable () -> Void)? in
            state.inFlight = max(0, state.inFlight - n)
            if failed { state.failed &+= UInt64(n) } else { state.exported &+= UInt64(n) }
            return state.onSettle
        }
        if failed { for _ in 0..<n { drops.recordDrop(.deliveryFailed) } }
        wake?()
    }

    /// swift-otel's own buffer was full (the sink's window should prevent it; counted all the same).
    func droppedInside(_ n: Int) {
        settled(n, failed: true)
    }

    func forward(_ line: String) {
        let now = ContinuousClock.now
        let logger = state.withLock { state -> Logger? in
            if let last = state.lastForward, now - last < Self.forwardInterval { return nil }
            state.lastForward = now
            return state.logger
        }
        logger?.warning("\(line)")
    }
}
