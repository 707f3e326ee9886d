import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import Testing

import MockUpstream

/// A reply read over real HTTP from the mock upstream.
struct MockTestReply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    /// Set when reading the body failed (e.g. the server cut the connection).
    var bodyError: String?

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body))
        return try #require(object as? [String: Any])
    }
}

/// One SSE frame: optional `event:` name and the `data:` payload.
struct MockTestEvent: Sendable {
    var event: String?
    var data: String

    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(data.utf8))
        return try #require(object as? [String: Any])
    }
}

enum MockTestClient {
    static func send(
        _ mock: MockUpstreamHandle,
        path: String,
        method: String = "POST",
        body: String? = nil,
        headers: [String: String] = [:],
        timeout: Duration = .seconds(30)
    ) async throws -> MockTestReply {
        let reply = try await TestHTTP.send(mock.baseURL + path, method: HTTPMethod(rawValue: method), body: body.map { Array($0.utf8) },
                                            headers: headers.map { ($0.key, $0.value) }, timeout: timeout, limit: .max)
        return MockTestReply(status: reply.status, headers: reply.fields, body: reply.body, bodyError: reply.bodyError)
    }

    static func json(_ mock: MockUpstreamHandle, get path: String) async throws -> Any {
        let reply = try await send(mock, path: path, method: "GET")
        #expect(reply.status == 200)
        return try JSONSerialization.jsonObject(with: Data(reply.body))
    }

    static func stats(_ mock: MockUpstreamHandle) async throws -> MockStatsSnapshot {
        let reply = try await send(mock, path: "/mock/stats", method: "GET")
        return try JSONDecoder().decode(MockStatsSnapshot.self, from: Data(reply.body))
    }

    /// Splits an SSE body into frames (blank-line separated).
    static func events(_ text: String) -> [MockTestEvent] {
        var events: [MockTestEvent] = []
        for frame in text.components(separatedBy: "\n\n") where !frame.isEmpty {
            var name: String?
            var data: [String] = []
            for line in frame.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event: ") {
                    name = String(line.dropFirst(7))
                } else if line.hasPrefix("data: ") {
                    data.append(String(line.dropFirst(6)))
                }
            }
            events.append(MockTestEvent(event: name, data: data.joined(separator: "\n")))
        }
        return events
    }
}

enum MockTestBodies {
    static func anthropic(
        _ text: String,
        stream: Bool = false,
        maxTokens: Int = 1024,
        system: String? = nil,
        extra: String = ""
    ) -> String {
        var body = "{\"model\":\"claude-test\",\"max_tokens\":\(maxTokens),\"stream\":\(stream)"
        if let system {
            body += ",\"system\":" + MockJSONText.quoted(system)
        }
        body += ",\"messages\":[{\"role\":\"user\",\"content\":" + MockJSONText.quoted(text) + "}]" + extra + "}"
        return body
    }

    static func openAI(
        _ text: String,
        stream: Bool = false,
        includeUsage: Bool = false,
        maxTokens: Int? = nil,
        system: String? = nil,
        extra: String = ""
    ) -> String {
        var body = "{\"model\":\"gpt-test\",\"stream\":\(stream)"
        if includeUsage {
            body += ",\"stream_options\":{\"include_usage\":true}"
        }
        if let maxTokens {
            body += ",\"max_tokens\":\(maxTokens)"
        }
        body += ",\"messages\":["
        if let system {
            body += "{\"role\":\"system\",\"content\":" + MockJSONText.quoted(system) + "},"
        }
        body += "{\"role\":\"user\",\"content\":" + MockJSONText.quoted(text) + "}]" + extra + "}"
        return body
    }

    static let anthropicTools =
        ",\"tools\":[{\"name\":\"search\",\"description\":\"Search\",\"input_schema\":{\"type\":\"object\"}},"
        + "{\"name\":\"lookup\",\"description\":\"Lookup\",\"input_schema\":{\"type\":\"object\"}}]"
    static let openAITools =
        ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"search\",\"parameters\":{\"type\":\"object\"}}},"
        + "{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}}]"
}

/// Expected numbers from the documented formula.
enum MockTestFormula {
    static func inputTotal(_ pieces: [String]) -> Int {
        max(1, pieces.reduce(0) { $0 + $1.unicodeScalars.count } / 4)
    }

    static func outputWords(lastUser: String, maxTokens: Int? = nil) -> Int {
        let snippet = MockReplyPlanner.snippet([lastUser])
        let prefix = 3 + snippet.split(separator: " ").count
        let target = max(prefix, min(256, 16 + lastUser.unicodeScalars.count / 8))
        if let maxTokens, maxTokens < target { return maxTokens }
        return target
    }
}

extension Dictionary where Key == String, Value == Any {
    func mockInt(_ key: String) -> Int? { (self[key] as? Int) ?? (self[key] as? NSNumber)?.intValue }
    func mockDict(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func mockList(_ key: String) -> [[String: Any]]? { self[key] as? [[String: Any]] }
    func mockString(_ key: String) -> String? { self[key] as? String }
}
