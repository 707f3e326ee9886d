import LogPipeline

extension MetricsQuery {
    /// `format=yaml|json` (any case; absent or empty: `yaml`), for the views that render both.
    func totalsFormat() throws(ProxyError) -> TotalsFormat {
        guard let raw = value("format"), !raw.isEmpty else { return .yaml }
        guard let format = TotalsFormat(rawValue: raw.lowercased()) else {
            throw .invalidRequest("format: must be yaml or json, not '\(Self.echo(raw))'")
        }
        return format
    }
}
