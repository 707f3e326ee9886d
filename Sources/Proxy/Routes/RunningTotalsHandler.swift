import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /metrics/running-totals?provider=&model=&include_active=&format=`: the hierarchical totals as
/// YAML or JSON (`TotalsFormat`, the renderers `vdm replay` shares). In-flight requests are counted once.
struct RunningTotalsHandler: Sendable {
    let tracker: RequestTracker
    let metricsEnabled: Bool
    let redactor: Redactor

    func handle(_ request: Request) async -> Response {
        let now = WallClock.nowMicros()
        let query = MetricsQuery(request)
        guard metricsEnabled else {
            if (try? query.totalsFormat()) == .json { return ActiveRequestsHandler.json(ActiveRequestsJSON.disabled(includeEmptyList: false)) }
            return Self.yaml(RunningTotalsYAML.disabled(generatedMicros: now), generatedMicros: now)
        }
        let filter: TotalsFilter
        let includeActive: Bool
        let format: TotalsFormat
        do {
            // Redacted as the stored names are: the filter is echoed, and `*<key>*` finds the key's marker.
            filter = TotalsFilter(provider: try query.pattern("provider").map(redactor.redact), model: try query.pattern("model").map(redactor.redact))
            includeActive = try query.bool("include_active", default: true)
            format = try query.totalsFormat()
        } catch {
            return AnthropicErrorResponse.make(error, redactor: redactor)
        }
        let totals = await tracker.runningTotals(filter: filter, includeActive: includeActive)
        let document = format.render(totals, generatedMicros: now)
        switch format {
        case .yaml: return Self.yaml(document, generatedMicros: now)
        case .json: return ActiveRequestsHandler.json(Array(document.utf8))
        }
    }

    static func yaml(_ text: String, generatedMicros: Int64) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/yaml; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.contentDisposition] = "inline; filename=" + filename(generatedMicros: generatedMicros)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `running-totals-20261128-230809.yaml`, from the same instant (UTC) as the `# Generated:` line.
    static func filename(generatedMicros: Int64) -> String {
        let iso = Array(WallClock.iso8601(micros: generatedMicros).utf8)  // 2026-11-28T23:08:09.382331Z
        let date = iso[0..<4] + iso[5..<7] + iso[8..<10]
        let time = iso[11..<13] + iso[14..<16] + iso[17..<19]
        return "running-totals-" + String(decoding: date, as: UTF8.self) + "-" + String(decoding: time, as: UTF8.self) + ".yaml"
    }
}
