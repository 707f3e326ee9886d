import Testing
@testable import VDMProxy

/// `OTLPSettings`: the standard variables, checked at start-up (exit 78 names the variable).
@Suite struct OTLPSettingsTests {
    @Test func offUnlessAnEndpointIsSet() throws {
        #expect(try OTLPSettings.fromEnvironment([:]).isEnabled == false)
        #expect(try OTLPSettings.fromEnvironment(["OTEL_SERVICE_NAME": "x"]).isEnabled == false)
        let disabled = try OTLPSettings.fromEnvironment(["OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"])
        #expect(disabled.isEnabled == false)
    }

    @Test func theBaseEndpointGetsTheSignalPathsAndPerSignalOnesWin() throws {
        let s = try OTLPSettings.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example/custom",
        ])
        #expect(s.logsEndpoint == "http://collector:4318/v1/logs")
        #expect(s.metricsEndpoint == "https://metrics.example/custom")
        let logsOnly = try OTLPSettings.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"])
        #expect(logsOnly.logsEndpoint == "http://c:4318/v1/logs")
        #expect(logsOnly.metricsEndpoint == nil)
    }

    @Test func headersAreParsedAsSwiftOTelSendsThemAndAreSecrets() throws {
        let s = try OTLPSettings.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer abc%20def , x-tenant = acme=1",
            "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "x-only=metrics-secret",
        ])
        #expect(s.logsHeaders == [.init(name: "authorization", value: "Bearer abc%20def"), .init(name: "x-tenant", value: "acme=1")])
        #expect(s.metricsHeaders == [.init(name: "x-only", value: "metrics-secret")])
        #expect(s.secrets.map(\.key) == ["Bearer abc%20def", "acme=1", "metrics-secret"])
    }

    @Test(arguments: [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://user:pw@collector:4318"),
        ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "ftp://collector/v1/logs"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "novalue"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "bad name=x"),
        ("OTEL_SDK_DISABLED", "maybe"),
        ("OTEL_METRICS_EXPORTER", "prometheus"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "5"),
        ("OTEL_RESOURCE_ATTRIBUTES", "=x"),
    ])
    func aBadValueIsAnErrorNamingItsVariable(_ variable: String, _ value: String) throws {
        var env: [String: String] = variable == "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" ? [:] : ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        env[variable] = value
        #expect { try OTLPSettings.fromEnvironment(env) } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func aHeaderValueIsNeverInTheErrorText() throws {
        let secret = "s3cr3t-header-value\u{01}"
        #expect { try OTLPSettings.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_HEADERS": "k=\(secret)"]) }
            throws: { error in
                let text = "\(error)"
                return text.contains("OTEL_EXPORTER_OTLP_HEADERS") && !text.contains("s3cr3t")
            }
    }

    @Test func listsAndStringsAreBounded() throws {
        let many = (0...OTLPSettings.maxListItems).map { "k\($0)=v" }.joined(separator: ",")
        #expect(throws: ConfigurationError.self) { try OTLPSettings.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_RESOURCE_ATTRIBUTES": many]) }
        let long = String(repeating: "a", count: OTLPSettings.maxServiceNameBytes + 1)
        #expect(throws: ConfigurationError.self) { try OTLPSettings.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_SERVICE_NAME": long]) }
    }
}
