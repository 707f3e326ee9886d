package import AsyncHTTPClient
import NIOCore

/// Sends requests over real HTTP with bounded concurrency and reads every response to the end.
package enum DemoTraffic {
    package static func send(_ requests: [DemoRequest], to baseURL: String, concurrency: Int, client: HTTPClient = .shared) async throws -> ([Int: Int], [String]) {
        var counts: [Int: Int] = [:]
        var unexpected: [String] = []
        try await withThrowingTaskGroup(of: (DemoRequest, Int).self) { group in
            var next = 0
            func submit() {
                guard next < requests.count else { return }
                let request = requests[next]
                next += 1
                group.addTask { (request, try await post(request, to: baseURL, client: client)) }
            }
            for _ in 0..<max(1, concurrency) { submit() }
            while let (request, status) = try await group.next() {
                counts[status, default: 0] += 1
                if status != request.expectedStatus { unexpected.append("\(request.label): \(status)") }
                submit()
            }
        }
        return (counts, unexpected)
    }

    package static func post(_ request: DemoRequest, to baseURL: String, client: HTTPClient) async throws -> Int {
        var http = HTTPClientRequest(url: baseURL + "/v1/messages")
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "anthropic-version", value: "2023-06-01")
        if let id = request.clientRequestID { http.headers.add(name: "x-request-id", value: id) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(http, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 16 << 20)
        return Int(response.status.code)
    }
}
