import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /metrics/logs?limit_errors=&limit_traces=`: recent errors and traces (newest first) and the
/// log outputs actually in effect. Not gated by `LOG_REQUEST_METRICS` (as the original): the
/// buffers are simply what the tracker has seen.
struct MetricsLogsHandler: Sendable {
    let tracker: RequestTracker
    let logging: LoggingMode
    let redactor: Redactor

    static let errorLimits = 1...1_000
    static let traceLimits = 1...2_000

    func handle(_ request: Request) async -> Response {
        let query = MetricsQuery(request)
        let limitErrors: Int
        let limitTraces: Int
        do {
            limitErrors = try query.int("limit_errors", default: 100, range: Self.errorLimits)
            limitTraces = try query.int("limit_traces", default: 200, range: Self.traceLimits)
        } catch {
            return AnthropicErrorResponse.make(error, redactor: redactor)
        }
        let errors = await tracker.recentErrors(limit: limitErrors)
        let traces = await tracker.recentTraces(limit: limitTraces)
        var out: [UInt8] = []
        out.reserveCapacity(512 + (errors.count + traces.count) * 480)
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendKey("logging", to: &out)
        Self.appendLogging(logging, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("systemd", to: &out)
        Self.appendSystemd(logging, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("errors", to: &out)
        TraceJSON.appendArray(errors, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("traces", to: &out)
        TraceJSON.appendArray(traces, to: &out)
        out.append(UInt8(ascii: "}"))
        return ActiveRequestsHandler.json(out)
    }

    /// `{"requested":[…],"effective":[…],"fallback_active":bool}`: output names as `/health` shows them
    /// (`console`, `json:/path`, `journald`, `syslog`, …).
    static func appendLogging(_ mode: LoggingMode, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendKey("requested", to: &out)
        appendStrings(mode.requested, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("effective", to: &out)
        appendStrings(mode.effective, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("fallback_active", mode.fallbackActive, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The original's `systemd` object, kept for its dashboard's sake: whether journald/syslog was
    /// asked for, whether it is in effect, and which handler carries the records.
    static func appendSystemd(_ mode: LoggingMode, to out: inout [UInt8]) {
        func isSystem(_ name: String) -> Bool { name.hasPrefix("journald") || name.hasPrefix("syslog") }
        let handler = mode.effective.first(where: isSystem).map { $0.hasPrefix("journald") ? "journald" : "syslog" } ?? "console"
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendField("requested", mode.requested.contains(where: isSystem), to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("effective", mode.effective.contains(where: isSystem), to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("handler", handler, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    static func appendStrings(_ values: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
