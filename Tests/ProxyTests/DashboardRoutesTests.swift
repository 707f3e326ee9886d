import Foundation
import LogPipeline
import NIOCore
import Testing
import Yams
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// `/dashboard` and its assets over real HTTP: content types, cache validation, the CSP, nothing
/// fetched from elsewhere; and the JSON forms the page reads (`running-totals?format=json`,
/// `health?format=json`), checked against hand-written numbers and the YAML documents.
@Suite struct DashboardRoutesTests {
    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    @Test func pageAndAssetsAreServedWithTheirTypesCSPAndETags() async throws {
        try await MetricsTestServer.with { proxy in
            let expected: [(String, String)] = [
                ("/dashboard", "text/html; charset=utf-8"), ("/dashboard/", "text/html; charset=utf-8"),
                ("/dashboard/dashboard.css", "text/css; charset=utf-8"), ("/dashboard/format.js", "text/javascript; charset=utf-8"),
                ("/dashboard/stream.js", "text/javascript; charset=utf-8"), ("/dashboard/app.js", "text/javascript; charset=utf-8"),
                ("/dashboard/favicon.svg", "image/svg+xml"),
            ]
            for (path, type) in expected {
                let response = try await proxy.get(path)
                #expect(response.status == 200, "\(path)")
                #expect(response.headers["content-type"] == type, "\(path)")
                #expect(response.headers["content-security-policy"] == Self.csp, "\(path)")
                #expect(response.headers["x-content-type-options"] == "nosniff")
                #expect(response.headers["cache-control"] == "no-cache")
                #expect(response.headers["referrer-policy"] == "no-referrer")
                let etag = try #require(response.headers["etag"])
                #expect(etag.wholeMatch(of: /"[0-9a-f]{8}"/) != nil)
                let again = try await proxy.get(path, headers: [("if-none-match", etag)])
                #expect(again.status == 304 && again.body.isEmpty, "\(path)")
                let other = try await proxy.get(path, headers: [("if-none-match", "\"00000000\"")])
                #expect(other.status == 200)
            }
            #expect(try await proxy.get("/dashboard/nothing.js").status == 404)
            let page = try await proxy.get("/dashboard").body
            for script in ["/dashboard/format.js", "/dashboard/stream.js", "/dashboard/app.js"] {
                #expect(page.contains("<script src=\"\(script)\"></script>"))
            }
        }
    }

    @Test func assetsReferNothingOutsideAndInsertNoHTML() {
        let all = [DashboardRoutes.index] + DashboardRoutes.assets
        for asset in all {
            let text = String(buffer: asset.body)
            // The SVG namespace is a name, not a fetch.
            let stripped = text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!stripped.contains("http://") && !stripped.contains("https://") && !stripped.contains("//cdn"), "\(asset.path)")
            #expect(!text.contains("innerHTML") && !text.contains("outerHTML") && !text.contains("insertAdjacentHTML") && !text.contains("document.write"), "\(asset.path)")
            #expect(!text.contains("eval(") && !text.contains("new Function"), "\(asset.path)")
            #expect(!text.contains("?key=") && !text.contains("EventSource("), "\(asset.path): the key goes in a header, never a URL")
        }
        #expect(!String(buffer: DashboardRoutes.index.body).contains("style="), "no inline style (the CSP forbids it)")
    }

    @Test func theDashboardIsOpenButItsDataNeedsTheKey() async throws {
        try await MetricsTestServer.with(["PROXY_API_KEY": "dashboard-route-test-key-0123456789"]) { proxy in
            #expect(try await proxy.get("/dashboard").status == 200)
            #expect(try await proxy.get("/dashboard/app.js").status == 200)
            #expect(try await proxy.get("/health?format=json").status == 200)
            #expect(try await proxy.get("/metrics/running-totals?format=json").status == 401)
            let ok = try await proxy.get("/metrics/running-totals?format=json", headers: [("x-api-key", "dashboard-route-test-key-0123456789")])
            #expect(ok.status == 200)
            #expect(!ok.body.contains("dashboard-route-test-key"))
        }
    }

    @Test func runningTotalsAsJSONCarryTheOverallStreamingSplit() async throws {
        try await MetricsTestServer.with { proxy in
            let records = [
                workload("s1", streaming: true, input: 10, output: 5, durationMillis: 100),
                workload("s2", provider: "anthropic", model: "claude-3-5", streaming: true, input: 20, output: 7, cacheRead: 4, durationMillis: 301),
                workload("n1", streaming: false, input: 30, output: 9, durationMillis: 500, errorType: "upstream_5xx"),
            ]
            for m in records {
                await proxy.tracker.start(m)
                await proxy.tracker.end(m)
            }
            let response = try await proxy.get("/metrics/running-totals?format=json")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let doc = try JSONTestValue.object(response.body)
            let summary = try #require(doc["summary"] as? [String: Any])
            #expect(summary["total_requests"] as? Int == 3)
            #expect(summary["total_errors"] as? Int == 1)
            #expect(summary["total_input_tokens"] as? Int == 60)
            #expect(summary["total_cache_read_tokens"] as? Int == 4)
            #expect(summary["average_duration_ms"] as? Int == 300)  // (100 + 301 + 500) / 3 = 300.33
            let streaming = try #require(summary["streaming"] as? [String: Any])
            #expect(streaming["requests"] as? Int == 2)
            #expect(streaming["average_duration_ms"] as? Int == 201)  // 200.5 rounds half up
            #expect(streaming["total_duration_ms"] as? Double == 401)
            let nonStreaming = try #require(summary["non_streaming"] as? [String: Any])
            #expect(nonStreaming["requests"] as? Int == 1)
            #expect(nonStreaming["errors"] as? Int == 1)
            #expect(nonStreaming["average_duration_ms"] as? Int == 500)
            let openai = try #require((doc["providers"] as? [String: Any])?["openai"] as? [String: Any])
            #expect(((openai["rollup"] as? [String: Any])?["total"] as? [String: Any])?["requests"] as? Int == 2)

            // The YAML keeps its shape: the same totals, no summary split.
            let yaml = try #require(try Yams.load(yaml: try await proxy.get("/metrics/running-totals").body) as? [String: Any])
            let yamlSummary = try #require(yaml["summary"] as? [String: Any])
            #expect(yamlSummary["total_requests"] as? Int == 3 && yamlSummary["streaming"] == nil)

            let bad = try await proxy.get("/metrics/running-totals?format=xml")
            #expect(bad.status == 400)
            #expect(bad.body.contains("format: must be yaml or json, not 'xml'"))
        }
    }

    @Test func runningTotalsJSONWhenMetricsAreDisabled() async throws {
        try await MetricsTestServer.with(["LOG_REQUEST_METRICS": "false"]) { proxy in
            let doc = try await proxy.getJSON("/metrics/running-totals?format=json")
            #expect(doc["disabled"] as? Bool == true)
            #expect(doc["message"] as? String == "Request metrics logging is disabled")
        }
    }

    @Test func healthAsJSONHoldsTheYAMLReportsFields() async throws {
        let key = "sk-dashboard-health-0123456789abcdefghij"
        try await MetricsTestServer.with(["OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": "!PASSTHRU"]) { proxy in
            let doc = try await proxy.getJSON("/health?format=json")
            let yaml = try #require(try Yams.load(yaml: try await proxy.get("/health").body) as? [String: Any])
            #expect(doc["status"] as? String == "healthy")
            #expect(doc["default_provider"] as? String == yaml["default_provider"] as? String)
            #expect(doc["metrics_enabled"] as? Bool == true)
            #expect(doc["client_api_key_validation"] as? Bool == false)
            let logging = try #require(doc["logging"] as? [String: Any])
            #expect(logging["fallback_active"] as? Bool == false)
            let providers = try #require(doc["providers"] as? [[String: Any]])
            #expect(providers.map { $0["name"] as? String } == ["anthropic", "openai"])
            let yamlProviders = try #require(yaml["providers"] as? [String: Any])
            for provider in providers {
                let name = try #require(provider["name"] as? String)
                let fromYAML = try #require(yamlProviders[name] as? [String: Any])
                for field in ["api_format", "base_url", "auth_mode", "api_key_hash"] {
                    #expect(provider[field] as? String == fromYAML[field] as? String, "\(name) \(field)")
                }
            }
            #expect(providers.first?["auth_mode"] as? String == "passthrough")
            #expect((providers.last?["api_key_hash"] as? String)?.hasPrefix("sha256:") == true)
            let text = try await proxy.get("/health?format=json").body
            #expect(!text.contains(key))
            #expect(try await proxy.get("/health?format=toml").status == 400)
        }
    }
}
