import Foundation

/// A request id a prefix matched, for the "ambiguous prefix" listing.
public struct TraceCandidate: Sendable, Equatable, Codable {
    public var requestID: String
    public var firstSeen: SourceLocation?
    public var timestamp: String?
    public var records: Int
    public var requestedModel: String
}

public enum TraceResult: Sendable, Equatable {
    case found(RequestTrace)
    case ambiguous(prefix: String, candidates: [TraceCandidate], more: Bool)
    case notFound(prefix: String)

    /// Exit status of `vdm trace`: 0 only when exactly one request matched.
    public var exitCode: Int32 {
        if case .found = self { return 0 }
        return 1
    }

    public func text() -> String {
        switch self {
        case .found(let trace): return trace.text()
        case .notFound(let prefix): return "no record has an http.request.id starting with \(prefix.debugDescription)\n"
        case .ambiguous(let prefix, let candidates, let more):
            var out = "\(prefix.debugDescription) matches \(candidates.count)\(more ? "+" : "") requests; give a longer prefix:\n"
            for c in candidates {
                out += "  \(c.requestID)  \(c.records) record(s)"
                if let t = c.timestamp { out += ", first at \(t)" }
                if let l = c.firstSeen { out += " (\(l))" }
                if !c.requestedModel.isEmpty { out += ", model \(c.requestedModel)" }
                out += "\n"
            }
            return out
        }
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data?
        switch self {
        case .found(let trace): data = try? encoder.encode(["status": AnyTrace.found(trace)])
        case .ambiguous(let prefix, let candidates, let more):
            data = try? encoder.encode(["status": AnyTrace.ambiguous(prefix: prefix, candidates: candidates, more: more)])
        case .notFound(let prefix): data = try? encoder.encode(["status": AnyTrace.notFound(prefix: prefix)])
        }
        return data.map { String(decoding: $0, as: UTF8.self) + "\n" } ?? "{}\n"
    }
}

/// The JSON shape of a trace result: `{"status": {"found": {...}}}` and so on.
private enum AnyTrace: Encodable {
    case found(RequestTrace)
    case ambiguous(prefix: String, candidates: [TraceCandidate], more: Bool)
    case notFound(prefix: String)
}

/// A point in a request's life.
public struct TimelineEvent: Sendable, Equatable, Codable {
    public var event: String
    public var timestamp: String
    /// Milliseconds since the request's start (`vdm.start_us`), three decimals.
    public var offsetMillis: String
    /// How the instant was obtained.
    public var source: String
}

/// Every record of one request, in sequence order, with its timeline and outcome.
public struct RequestTrace: Sendable, Equatable, Codable {
    public var requestID: String
    public var records: [TraceRecord]
    public var timeline: [TimelineEvent]
    /// The completed record's metrics, when the request completed.
    public var completed: RequestMetrics?
    public var started: RequestMetrics?

    init(requestID: String, records unsorted: [TraceRecord]) {
        self.requestID = requestID
        records = unsorted.sorted { $0.instance != $1.instance ? $0.instance < $1.instance : $0.summary.sequence < $1.summary.sequence }
        let startRecord = records.first { $0.summary.action == EventAction.requestStarted }
        let completeRecord = records.last { $0.summary.action == EventAction.requestCompleted }
        started = startRecord?.metrics
        completed = completeRecord?.metrics
        timeline = Self.timeline(startRecord, completeRecord)
    }

    static func timeline(_ start: TraceRecord?, _ end: TraceRecord?) -> [TimelineEvent] {
        let startMicros = end?.metrics?.startMicros ?? start?.metrics?.startMicros ?? start?.summary.timestampMicros
        guard let origin = startMicros else { return [] }
        var events: [(Int64, TimelineEvent)] = []
        func add(_ name: String, _ micros: Int64, _ source: String) {
            // Bounded values (`RecordBounds`, parsed timestamps) cannot overflow the difference.
            let (delta, overflow) = micros.subtractingReportingOverflow(origin)
            let offset = overflow ? "?" : (delta < 0 ? "" : "+") + YAMLText.millis3(micros: delta)
            events.append((micros, TimelineEvent(event: name, timestamp: WallClock.iso8601(micros: micros),
                                                 offsetMillis: offset, source: source)))
        }
        if let s = start, let t = s.summary.timestampMicros { add("received", t, "request.started @timestamp") }
        if let m = end?.metrics {
            let finished = m.startMicros + m.durationNanos / 1_000
            if m.upstreamNanos > 0 {
                add("upstream called", finished - m.upstreamNanos / 1_000, "derived: completed − vdm.upstream_duration_ns")
            }
            if m.firstTokenNanos > 0 { add("first token", m.startMicros + m.firstTokenNanos / 1_000, "vdm.start_us + vdm.first_token_ns") }
            add("completed", finished, "vdm.start_us + event.duration")
            if let t = end?.summary.timestampMicros { add("completion logged", t, "request.completed @timestamp") }
        }
        return events.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public func text() -> String {
        var out = "request \(requestID): \(records.count) record(s)"
        if let instance = records.first?.instance { out += ", instance \(instance)" }
        out += "\n"
        if let m = completed ?? started {
            out += "  model \(m.requestedModel.isEmpty ? "?" : m.requestedModel) → \(m.providerKey) / \(m.modelKey), \(m.isStreaming ? "streaming" : "not streaming")\n"
        }
        if let m = completed {
            out += "  status \(m.httpStatus), \(m.isError ? "failure" : "success")"
            if let stop = m.stopReason { out += ", stop reason \(stop)" }
            out += "\n"
            if m.isError { out += "  error \(m.errorType ?? "unknown"): \(LineEscaper.escaped(m.error ?? ""))\n" }
            out += "  tokens: input \(m.inputTokens), output \(m.outputTokens), cache read \(m.cacheReadTokens), cache creation \(m.cacheCreationTokens)\n"
            out += "  tools: uses \(m.toolUses), results \(m.toolResults), calls \(m.toolCalls); bytes in \(m.requestBytes), out \(m.responseBytes)\n"
            out += "  duration \(YAMLText.millis3(m.durationNanos)) ms, upstream \(YAMLText.millis3(m.upstreamNanos)) ms"
            if m.firstTokenNanos > 0 { out += ", first token \(YAMLText.millis3(m.firstTokenNanos)) ms" }
            out += "\n"
        } else {
            out += "  never completed in these records\n"
        }
        if !timeline.isEmpty {
            out += "  timeline:\n"
            for e in timeline { out += "    \(e.timestamp)  \(e.offsetMillis) ms  \(e.event)  (\(e.source))\n" }
        }
        out += "  records:\n"
        for r in records {
            let s = r.summary
            let time = s.timestampMicros.map { WallClock.iso8601(micros: $0) } ?? "?"
            out += "    seq \(s.sequence)  \(time)  \(s.level)  \(s.action ?? s.logger)  \(LineEscaper.escaped(s.message))  (\(s.location))\n"
            if let problem = r.problem { out += "      not used: \(LineEscaper.escaped(problem))\n" }
        }
        return out
    }
}
