public import Logging

/// swift-log handler that forwards to a `LogRouter`. A value type as swift-log requires: copies own
/// their level and metadata.
public struct PipelineLogHandler: LogHandler {
    public let label: String
    public let router: LogRouter
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider? {
        didSet { correlationFromTask = false }
    }
    /// The provider is `CorrelationContext.metadataProvider`: the router reads the task-local itself.
    private var correlationFromTask: Bool
    /// The label matched the downgrade filter (asked once: a handler's label never changes).
    private let noisy: Bool

    public init(label: String, router: LogRouter, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.router = router
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        correlationFromTask = false
        noisy = router.downgrade.isNoisy(label)
    }

    /// With `CorrelationContext.metadataProvider` as the provider.
    public init(label: String, router: LogRouter, logLevel: Logger.Level) {
        self.init(label: label, router: router, logLevel: logLevel, metadataProvider: CorrelationContext.metadataProvider)
        correlationFromTask = true
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        router.emit(label: label, event: event, handlerMetadata: metadata, provider: metadataProvider,
                    correlationFromTask: correlationFromTask, noisy: noisy)
    }
}
