public import Logging

/// One log record, built once per log call and handed to every sink.
public struct LogRecord: Sendable {
    public var timestampMicros: Int64
    public var level: Logger.Level
    /// Set when the downgrade filter relabelled the record (the level the caller used).
    public var originalLevel: Logger.Level?
    public var message: String
    /// The swift-log label (`log.logger`).
    public var logger: String
    public var instanceID: String
    /// Per-process, increases by one on every record (`event.sequence`).
    public var sequence: UInt64
    public var correlationID: String?
    /// The request's trace context, when the record was made while the request was bound.
    public var trace: TraceIDs?
    public var payload: (any StructuredPayload)?
    /// Metadata other than the correlation id and the payload.
    public var metadata: Logger.Metadata
    public var error: (any Error)?
    public var file: String
    public var function: String
    public var line: UInt

    public init(
        timestampMicros: Int64, level: Logger.Level, originalLevel: Logger.Level? = nil, message: String,
        logger: String, instanceID: String, sequence: UInt64, correlationID: String?,
        trace: TraceIDs? = nil, payload: (any StructuredPayload)?, metadata: Logger.Metadata = [:],
        error: (any Error)? = nil, file: String = "", function: String = "", line: UInt = 0
    ) {
        self.timestampMicros = timestampMicros
        self.level = level
        self.originalLevel = originalLevel
        self.message = message
        self.logger = logger
        self.instanceID = instanceID
        self.sequence = sequence
        self.correlationID = correlationID
        self.trace = trace
        self.payload = payload
        self.metadata = metadata
        self.error = error
        self.file = file
        self.function = function
        self.line = line
    }

    /// 8-character correlation prefix, when the record belongs to a request.
    public var correlationPrefix: Substring? { correlationID.map { $0.prefix(8) } }
}

extension Logger.Level {
    /// Lowercase ECS `log.level` value.
    public var ecsName: String { ecsNameLiteral.description }

    /// `ecsName` as a constant, which the JSON encoder copies without a String in between.
    var ecsNameLiteral: StaticString {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// Upper-case name used on console lines (the seed's Python level names).
    public var consoleName: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// syslog/journald priority.
    public var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
