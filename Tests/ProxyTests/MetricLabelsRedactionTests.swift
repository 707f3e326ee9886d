import LogPipeline
import Testing
import VDMProxy

/// Prometheus label values go through the proxy's configured redaction, as every other output does: a
/// configured key of no recognisable shape, sent as a model name, never reaches `/metrics` or the totals.
@Suite struct MetricLabelsRedactionTests {
    /// No `sk-` prefix, no key name around it: only the configured-value rule can find it.
    static let key = "cfgkey-as-model-name-7Qm2Zx0123"
    /// `[redacted:` + the first 8 hex of SHA-256("cfgkey-as-model-name-7Qm2Zx0123") (computed with
    /// Python's hashlib, not with the code under test).
    static let marker = "[redacted:95f31dc8]"

    @Test func theExporterRedactsLabelsWithTheConfiguredKeys() {
        let exporter = MetricsExporter(redactor: Redactor(secrets: ConfiguredSecrets([Self.key])))
        exporter.record(workload("k", provider: "openai", model: Self.key, errorType: "upstream_5xx"))
        let text = PrometheusExportTests.text(exporter)
        #expect(!text.contains(Self.key), "\(text)")
        let samples = PrometheusSamples(text)
        #expect(samples.sum("vdm_requests_total") { $0["model"] == Self.marker && $0["provider"] == "openai" } == 1)
        #expect(samples.sum("vdm_request_errors_total") { $0["model"] == Self.marker } == 1)
        // The shape rules alone do not know this value: that is what the configured redactor adds.
        #expect(MetricLabels.clean(Self.key, redactor: Redactor()) == Self.key)
        #expect(MetricLabels.clean("m-" + Self.key, redactor: Redactor(secrets: ConfiguredSecrets([Self.key]))) == "m-" + Self.marker)
    }

    /// End to end: the key is the configured OpenAI key and the client sends it as the model name.
    @Test func aConfiguredKeySentAsAModelNameIsInNoMetricsView() async throws {
        try await TestProxy.run(env: ["OPENAI_API_KEY": Self.key]) { e2e in
            for stream in [false, true] {
                let reply = try await e2e.post(body: anthropicBody(model: "openai:\(Self.key)", stream: stream))
                #expect(reply.status == 200, "\(reply.text)")
            }
            _ = try await e2e.completed(count: 2)
            let metrics = try await e2e.get("/metrics")
            #expect(metrics.status == 200)
            #expect(!metrics.text.contains(Self.key))
            #expect(PrometheusSamples(metrics.text).sum("vdm_requests_total") { $0["model"] == Self.marker } == 2, "\(metrics.text)")
            for format in ["yaml", "json"] {
                for active in ["true", "false"] {
                    let totals = try await e2e.get("/metrics/running-totals?format=\(format)&include_active=\(active)")
                    #expect(totals.status == 200)
                    #expect(!totals.text.contains(Self.key), "\(format): \(totals.text)")
                    #expect(totals.text.contains(Self.marker), "\(format): \(totals.text)")
                }
            }
        }
    }
}
