import Foundation
import LogPipeline
import Synchronization

/// One request's metrics from arrival to the single `request.completed` record.
///
/// Whatever fails, wherever — body too large, bad JSON, unknown provider, upstream error, client gone
/// mid-stream — `finish` ends the request in the tracker exactly once. If the value is dropped without
/// finishing (e.g. Hummingbird never ran the streamed body because the client vanished), `deinit`
/// ends it as `client_disconnected`, so no request stays "active".
///
/// Every string the metrics hold from a client or an upstream (model names, error message, stop
/// reason) is redacted and clipped (`RequestMetrics.redacted(by:)`) where they enter the tracker, so
/// the live views show exactly what the records say, and no secret.
final class RequestLifecycle: Sendable {
    private struct State {
        var metrics: RequestMetrics
        var begun = false
        var finished = false
        var toolsDefined = 0
        var maxTokens = 0
        /// Set when the upstream reported usage outside `RecordBounds`; the request then ends as
        /// `upstream_bad_usage` (unless it already failed otherwise) with no tokens.
        var badUsage: (provider: String, detail: String)?
    }

    let tracker: RequestTracker
    let receivedAt: ContinuousClock.Instant
    let redactor: Redactor
    private let state: Mutex<State>

    init(tracker: RequestTracker, requestID: String, clientRequestID: String? = nil, redactor: Redactor) {
        self.tracker = tracker
        self.receivedAt = .now
        self.redactor = redactor
        self.state = Mutex(State(metrics: RequestMetrics(requestID: requestID, requestedModel: "", startMicros: WallClock.nowMicros(),
                                                         clientRequestID: clientRequestID)))
    }

    var requestID: String { state.withLock { $0.metrics.requestID } }
    var metrics: RequestMetrics { state.withLock { $0.metrics } }

    func update(_ change: (inout RequestMetrics) -> Void) {
        state.withLock { change(&$0.metrics) }
    }

    /// Records the upstream's usage: its counters when usable, else the refusal (first one wins) and
    /// zero tokens, so nothing out of bounds is ever stored, shown live or summed.
    func apply(_ usage: TokenUsage) {
        state.withLock {
            if let why = usage.violation, $0.badUsage == nil { $0.badUsage = ($0.metrics.provider, why) }
            let usable = $0.badUsage == nil
            $0.metrics.inputTokens = usable ? usage.inputTokens : 0
            $0.metrics.outputTokens = usable ? usage.outputTokens : 0
            $0.metrics.cacheReadTokens = usable ? usage.cacheReadTokens : 0
            $0.metrics.cacheCreationTokens = usable ? usage.cacheCreationTokens : 0
        }
    }

    func setRequestShape(toolsDefined: Int, maxTokens: Int) {
        state.withLock {
            $0.toolsDefined = toolsDefined
            $0.maxTokens = maxTokens
        }
    }

    /// Logs `request.started` (once).
    func begin() async {
        let snapshot: (RequestMetrics, Int, Int)? = state.withLock {
            guard !$0.begun else { return nil }
            $0.begun = true
            return ($0.metrics, $0.toolsDefined, $0.maxTokens)
        }
        guard let (metrics, tools, maxTokens) = snapshot else { return }
        await tracker.start(metrics.redacted(by: redactor), toolsDefined: tools, maxTokens: maxTokens)
    }

    /// Pushes live numbers (streamed tokens) to the tracker's in-flight view.
    func publishLive() async {
        let metrics = self.metrics
        await tracker.update(metrics.requestID) { live in
            live.outputTokens = metrics.outputTokens
            live.inputTokens = metrics.inputTokens
            live.cacheReadTokens = metrics.cacheReadTokens
            live.cacheCreationTokens = metrics.cacheCreationTokens
            live.toolCalls = metrics.toolCalls
        }
    }

    /// Ends the request: exactly one `request.completed`, whatever is called afterwards.
    /// An upstream usage that was refused makes a request that otherwise succeeded `upstream_bad_usage`.
    func finish(status: Int, error: ProxyError? = nil) async {
        await begin()
        let final: RequestMetrics? = state.withLock {
            guard !$0.finished else { return nil }
            $0.finished = true
            $0.metrics.httpStatus = status
            $0.metrics.durationNanos = (ContinuousClock.now - receivedAt).nanoseconds
            let badUsage = $0.badUsage.map { ProxyError.badUsage(provider: $0.provider, $0.detail) }
            if let error = error ?? badUsage {
                $0.metrics.error = error.message
                $0.metrics.errorType = error.kind.rawValue
            }
            return $0.metrics.redacted(by: redactor)
        }
        guard let final else { return }
        await tracker.end(final)
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    deinit {
        let leftover: (RequestMetrics, Bool)? = state.withLock {
            guard !$0.finished else { return nil }
            $0.finished = true
            $0.metrics.durationNanos = (ContinuousClock.now - receivedAt).nanoseconds
            $0.metrics.error = ProxyError.clientDisconnected.message
            $0.metrics.errorType = ProxyError.Kind.clientDisconnected.rawValue
            $0.metrics.httpStatus = ProxyError.clientDisconnected.status
            return ($0.metrics.redacted(by: redactor), $0.begun)
        }
        guard let (metrics, begun) = leftover else { return }
        let tracker = self.tracker
        Task {
            if !begun { await tracker.start(metrics) }
            await tracker.end(metrics)
        }
    }
}
