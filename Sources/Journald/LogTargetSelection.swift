package import LogPipeline

/// Turns the requested targets into sinks, choosing what this machine offers:
/// journald when its socket is there, else syslog when /dev/log answers, else the console.
package enum LogTargetSelection {
    package static let journaldSocketPath = "/run/systemd/journal/socket"

    /// - Returns: the sink (a `FanOutSink` when several), the effective target of each requested one
    ///   (`journald`, `syslog`, `console`, `json:/path`) for the start-up line, notes explaining
    ///   every substitution, for printing once at start-up, and the journald/syslog outputs to watch
    ///   for fallbacks.
    /// - Throws: `LogDestinationError` when a JSON file cannot be opened.
    package static func build(
        requested: [LogTarget],
        journaldSocket: String = journaldSocketPath,
        syslogSocket: String = SyslogSink.defaultSocketPath,
        facility: SyslogFacility = .user,
        redactor: Redactor = Redactor(),
        ecsEncoder: ECSJSONEncoder? = nil,
        policy: SinkQueuePolicy = SinkQueuePolicy(),
        notice: @escaping @Sendable (String) -> Void = FallbackNotice.standardError
    ) throws -> LogSelection {
        let encoder = ecsEncoder ?? ECSJSONEncoder(redactor: redactor)
        var sinks: [any LogSink] = []
        var effective: [String] = []
        var notes: [String] = []
        var systemOutputs: [SystemLogOutput] = []
        if requested.isEmpty { notes.append("no log target requested; using console") }
        let requested = requested.isEmpty ? [LogTarget.console] : requested
        let syslogRequested = requested.contains(.syslog)
        let syslogUp = { SyslogSink.isAvailable(socketPath: syslogSocket) }

        /// The sink for `target`: made now, or the one already selected for it.
        @discardableResult
        func add(_ target: String, _ make: () throws -> any LogSink) rethrows -> any LogSink {
            if let index = effective.firstIndex(of: target) {
                notes.append("\(target) already selected; not adding it twice")
                return sinks[index]
            }
            let sink = try make()
            sinks.append(sink)
            effective.append(target)
            return sink
        }
        func watch(_ requested: LogTarget, _ sink: any LogSink) {
            systemOutputs.append(SystemLogOutput(requested: requested.description, sink: sink))
        }
        func syslog() -> any LogSink {
            SyslogSink(socketPath: syslogSocket, facility: facility, redactor: redactor, policy: policy, notice: notice)
        }
        func console() -> any LogSink { ConsoleFallback.make(redactor: redactor, policy: policy) }

        for target in requested {
            switch target {
            case .journald:
                if journaldListening(path: journaldSocket) {
                    let fallback = journaldFallback(
                        syslogRequested: syslogRequested, syslogSocket: syslogSocket, facility: facility,
                        redactor: redactor, notice: notice)
                    watch(target, add("journald") {
                        JournaldSink(redactor: redactor, ecsEncoder: encoder, policy: policy, fallback: fallback, notice: notice)
                    })
                } else if syslogUp() {
                    notes.append("journald requested but \(journaldSocket) does not answer; logging to syslog (\(syslogSocket))")
                    watch(target, add("syslog", syslog))
                } else {
                    notes.append("journald requested but \(journaldSocket) does not answer and nothing listens on \(syslogSocket); logging to the console")
                    watch(target, add("console", console))
                }
            case .syslog:
                if syslogUp() {
                    watch(target, add("syslog", syslog))
                } else {
                    notes.append("syslog requested but nothing listens on \(syslogSocket); logging to the console")
                    watch(target, add("console", console))
                }
            case .console:
                add("console", console)
            case .json(let path):
                let destination: LogDestination = path == "-" ? .standardOutput : .file(path)
                try add("json:\(destination)") { try JSONLinesSink(destination: destination, encoder: encoder, policy: policy) }
            }
        }
        let sink: any LogSink = sinks.count == 1 ? sinks[0] : FanOutSink(sinks)
        return LogSelection(sink: sink, effective: effective, notes: notes, systemOutputs: systemOutputs)
    }

    /// syslog, then the console; only the console when syslog is selected too (it already has every record).
    private static func journaldFallback(
        syslogRequested: Bool, syslogSocket: String, facility: SyslogFacility, redactor: Redactor,
        notice: @escaping @Sendable (String) -> Void
    ) -> @Sendable () -> any LogSink {
        if syslogRequested { return { ConsoleFallback.make(redactor: redactor) } }
        return { SyslogSink.fallbackChain(socketPath: syslogSocket, facility: facility, redactor: redactor, notice: notice) }
    }
}
