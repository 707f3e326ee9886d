import Foundation
package import Journald
package import Logging
package import LogPipeline

/// The process's log outputs and the router in front of them. Components get their loggers from
/// here (never from a global), so tests can run several proxies in one process.
package struct LogSetup: Sendable {
    package let router: LogRouter
    package let mode: LoggingMode
    let warnings: [String]
    /// The one redactor every sink, route and error body of this proxy uses (configured values included).
    package let redactor: Redactor

    package struct Options: Sendable {
        package var jsonPath: String?
        package var console = true
        package var level: Logger.Level = .info
        var includeOrigin = false
        package var instanceID: String?
        package var extraSinks: [any LogSink] = []
        /// `--log-target` / `VDM_LOG_TARGET` (journald, syslog, console, json:PATH); empty = console (+ --log-json).
        package var targets: [LogTarget] = []
        /// Where journald and syslog are looked for (tests point them elsewhere to force a fallback).
        package var journaldSocket = LogTargetSelection.journaldSocketPath
        package var syslogSocket = SyslogSink.defaultSocketPath
        /// Shape rules plus the configured secrets (`ServeSetup` fills it from the configuration).
        package var redactor = Redactor()
        /// Every sink's queue size and bounded wait (`VDM_LOG_QUEUE_WAIT_MS`, `VDM_LOG_QUEUE_BYTES`).
        var queuePolicy = SinkQueuePolicy()

        package init() {}
    }

    package static func make(_ options: Options, warnings: [String] = []) throws -> LogSetup {
        if !options.targets.isEmpty {
            var requested = options.targets
            if let path = options.jsonPath, !requested.contains(.json(path)) { requested.append(.json(path)) }
            let selection = try LogTargetSelection.build(
                requested: requested, journaldSocket: options.journaldSocket, syslogSocket: options.syslogSocket,
                redactor: options.redactor, ecsEncoder: ECSJSONEncoder(redactor: options.redactor, includeOrigin: options.includeOrigin),
                policy: options.queuePolicy)
            let sink = options.extraSinks.isEmpty ? selection.sink : FanOutSink([selection.sink] + options.extraSinks)
            let router = LogRouter(sink: sink, level: options.level, instanceID: options.instanceID)
            let mode = LoggingMode(requested: requested.map(\.description), sink: sink, systemOutputs: selection.systemOutputs)
            return LogSetup(router: router, mode: mode, warnings: warnings + selection.notes, redactor: options.redactor)
        }
        var sinks: [any LogSink] = []
        var names: [String] = []
        if options.console {
            sinks.append(try ConsoleSink(destination: .standardError, formatter: ConsoleFormatter(redactor: options.redactor), policy: options.queuePolicy))
            names.append("console")
        }
        if let path = options.jsonPath {
            sinks.append(try JSONLinesSink(destination: .file(path), encoder: ECSJSONEncoder(redactor: options.redactor, includeOrigin: options.includeOrigin),
                                         policy: options.queuePolicy))
            names.append("json:" + path)
        }
        sinks.append(contentsOf: options.extraSinks)
        names.append(contentsOf: options.extraSinks.map(\.name))
        let sink = FanOutSink(sinks)
        let router = LogRouter(sink: sink, level: options.level, instanceID: options.instanceID)
        return LogSetup(router: router, mode: LoggingMode(requested: names, sink: sink), warnings: warnings, redactor: options.redactor)
    }

    package func logger(_ label: String) -> Logger {
        Logger(label: label) { router.makeHandler(label: $0) }
    }

    package func flush() { router.flush() }

    /// Flushes and closes every output (shutdown; tests). Idempotent.
    package func close() { router.close() }
}
