import Foundation
import Testing

import MockUpstream

/// Pure parts of the mock upstream: directive parsing, the token formula, rendering.
@Suite("Mock upstream plan")
struct MockUpstreamPlanTests {
    @Test func directivesParse() {
        var d = MockDirectives()
        d.scan("hello mock:latency=250, mock:status=429 mock:cut=3 mock:malformed mock:hang mock:slowstream=15")
        #expect(d.latencyMilliseconds == 250)
        #expect(d.status == 429)
        #expect(d.cutAfterEvents == 3)
        #expect(d.malformed)
        #expect(d.hang)
        #expect(d.slowStreamMilliseconds == 15)
        #expect(!d.tool)

        var t = MockDirectives()
        t.scan("(mock:tools=2) mock:cache=12 mock:cache_create=4")
        #expect(t.tool)
        #expect(t.toolCount == 2)
        #expect(t.cacheReadTokens == 12)
        #expect(t.cacheCreationTokens == 4)

        var ignored = MockDirectives()
        #expect(ignored.isEmpty)
        var streamError = MockDirectives()
        streamError.scan("mock:stream_error")
        #expect(streamError.streamError)

        ignored.scan("mock:status=200 mock:status= mock:unknown=5 mock: MOCK:hang mock:latency=abc")
        #expect(ignored.isEmpty)

        var huge = MockDirectives()
        huge.scan("mock:latency=99999999999999999999999999")
        #expect(huge.latencyMilliseconds == MockDirectives.maximumValue)
    }

    @Test func fragmentsConcatenateToTheText() {
        let text = "Mock reply to: a b c d e f g h"
        let fragments = MockReplyPlanner.fragments(of: text)
        #expect(fragments == ["Mock reply to: a", " b c d e", " f g h"])
        #expect(fragments.joined() == text)
        #expect(MockReplyPlanner.fragments(of: "").isEmpty)
        #expect(MockReplyPlanner.fragments(of: "Mock reply ").joined() == "Mock reply ")
    }

    @Test func snippetCollapsesWhitespace() {
        #expect(MockReplyPlanner.snippet(["  hello\n\n  world\t! "]) == "hello world !")
        #expect(MockReplyPlanner.snippet(["a", "b"]) == "a b")
        #expect(MockReplyPlanner.snippet([String(repeating: "x", count: 100)]).count == 40)
        #expect(MockReplyPlanner.snippet([]) == "")
    }

    @Test func planIsConsistentAcrossFormats() throws {
        let text = "Explain recursion with an example. mock:cache=3"
        let anthropic = try MockWireRequest.decode(Data(MockTestBodies.anthropic(text, system: "Be clear.").utf8))
        let openAI = try MockWireRequest.decode(Data(MockTestBodies.openAI(text, system: "Be clear.").utf8))
        let a = MockReplyPlanner.plan(request: anthropic, format: .anthropic, bodyHash: "x", headerDirectives: .init())
        let o = MockReplyPlanner.plan(request: openAI, format: .openAI, bodyHash: "x", headerDirectives: .init())
        #expect(a.inputTotal == o.inputTotal)
        #expect(a.text == o.text)
        #expect(a.outputTokens == o.outputTokens)
        #expect(a.anthropicInputTokens == o.inputTotal - o.cacheRead)
        #expect(a.textFragments.joined() == a.text)
        #expect(a.text.split(separator: " ").count == a.outputTokens)
    }

    @Test func renderedRepliesAreValidJSON() throws {
        let request = try MockWireRequest.decode(
            Data(MockTestBodies.openAI("quote \" backslash \\ newline \n tab \t ctrl \u{01} mock:tools=3", extra: MockTestBodies.openAITools).utf8)
        )
        let plan = MockReplyPlanner.plan(request: request, format: .openAI, bodyHash: "0123456789abcdef", headerDirectives: .init())
        #expect(plan.toolCalls.count == 3)
        for text in [MockRenderer.openAICompletion(plan), MockRenderer.anthropicMessage(plan)] {
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(text.utf8)) }
        }
        for event in MockRenderer.openAIEvents(plan).dropLast() + MockRenderer.anthropicEvents(plan) {
            let data = try #require(event.split(separator: "\n").first { $0.hasPrefix("data: ") }).dropFirst(6)
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(data.utf8)) }
        }
        for status in [400, 401, 403, 404, 413, 429, 500, 503, 529, 418, 599] {
            for format in [MockWireFormat.openAI, .anthropic] {
                let body = MockRenderer.errorBody(format: format, status: status, message: "m \"q\"")
                #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(body.utf8)) }
            }
        }
    }

    @Test func headerDirectivesMerge() throws {
        let request = try MockWireRequest.decode(Data(MockTestBodies.anthropic("plain", extra: MockTestBodies.anthropicTools).utf8))
        var header = MockDirectives()
        header.scan("mock:tool, mock:latency=5")
        let plan = MockReplyPlanner.plan(request: request, format: .anthropic, bodyHash: "", headerDirectives: header)
        #expect(plan.toolCalls.map(\.name) == ["search"])
        #expect(plan.directives.latencyMilliseconds == 5)
    }
}
