import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VDMProxy

/// Real `/v1/messages` traffic through the proxy to a tiny upstream: the views see what the request
/// path reports (live tokens while streaming, time to first token, upstream errors).
@Suite struct MetricsTrafficTests {
    static func post(_ proxy: MetricsTestServer, model: String, stream: Bool) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: proxy.base + "/v1/messages")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        let body = #"{"model":"\#(model)","max_tokens":50,"stream":\#(stream),"messages":[{"role":"user","content":"Hi"}]}"#
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func streamingTrafficShowsLiveTokensThenLandsInEveryView() async throws {
        let hold = StreamHold()
        defer { hold.release() }
        try await TinyOpenAIUpstream.with(hold: hold) { upstreamPort in
            // The stream's throttle (500 ms by default) is shorter than the ~480 ms upstream stream only
            // on a quiet machine: 50 ms makes "live tokens reach the SSE stream" independent of load.
            try await MetricsTestServer.with(["OPENAI_BASE_URL": "http://127.0.0.1:\(upstreamPort)/v1", "VDM_ACTIVE_REQUESTS_SSE_INTERVAL": "0.05"]) { proxy in
                let stream = SSERecorder.connect(proxy.base + "/metrics/active-requests/stream")
                defer { stream.close() }
                async let streamed = Self.post(proxy, model: "openai:gpt-4o", stream: true)
                // While the upstream streams (12 chunks, 40 ms apart) the in-flight row's tokens grow.
                // The upstream holds its last chunks until released: the request is in flight until then.
                var liveTokens = 0
                let deadline = ContinuousClock.now + .seconds(30)
                while liveTokens == 0, ContinuousClock.now < deadline {
                    let rows = try await proxy.getJSON("/metrics/active-requests")["active_requests"] as? [[String: Any]] ?? []
                    liveTokens = rows.first?["output_tokens"] as? Int ?? 0
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(liveTokens > 0)
                #expect(await stream.first(timeout: .seconds(30)) { item in
                    guard let rows = (try? JSONTestValue.object(item.data))?["active_requests"] as? [[String: Any]] else { return false }
                    return (rows.first?["output_tokens"] as? Int ?? 0) > 0
                } != nil, "\(stream.all.map(\.data).prefix(6))")
                hold.release()
                let (status, body) = try await streamed
                #expect(status == 200)
                #expect(body.contains("message_stop"))

                let (plainStatus, _) = try await Self.post(proxy, model: "openai:gpt-4o", stream: false)
                #expect(plainStatus == 200)
                let (failStatus, failBody) = try await Self.post(proxy, model: "openai:fail", stream: false)
                #expect(failStatus == 500)
                #expect(failBody.contains("\"type\":\"error\""))

                let samples = PrometheusSamples(try await proxy.get("/metrics").body)
                #expect(samples.sum("vdm_requests_total") == 3)
                #expect(samples.sum("vdm_requests_total") { $0["streaming"] == "true" } == 1)
                #expect(samples.sum("vdm_request_errors_total") { $0["error_type"] == "upstream_5xx" && $0["model"] == "fail" } == 1)
                #expect(samples.sum("vdm_tokens_total") { $0["type"] == "output" && $0["model"] == "gpt-4o" } == 24)
                #expect(samples.sum("vdm_tokens_total") { $0["type"] == "input" && $0["model"] == "gpt-4o" } == 46)  // 31 − 8 cached, twice
                #expect(samples.sum("vdm_tokens_total") { $0["type"] == "cache_read" } == 16)
                #expect(samples.sum("vdm_time_to_first_token_seconds_count") == 1)
                let ttft = samples.sum("vdm_time_to_first_token_seconds_sum")
                #expect(ttft > 0 && ttft < 5)
                #expect(samples.sum("vdm_upstream_duration_seconds_count") == 3)
                #expect(samples.sum("vdm_proxy_overhead_seconds_count") == 3)
                #expect(samples.sum("vdm_requests_in_flight") == 0)
                #expect(samples.sum("vdm_log_records_total") > 0)

                let logs = try await proxy.getJSON("/metrics/logs")
                #expect((logs["traces"] as? [[String: Any]])?.count == 3)
                #expect((logs["errors"] as? [[String: Any]])?.first?["error_type"] as? String == "upstream_5xx")
            }
        }
    }
}
