import Testing
import VDMProxy

@Suite("SSE parser and encoder")
struct SSEParserTests {
    static func parseAll(_ chunks: [[UInt8]], maximumEventBytes: Int = SSEParser.defaultMaximumEventBytes) throws -> [SSEEvent] {
        var parser = SSEParser(maximumEventBytes: maximumEventBytes)
        var events: [SSEEvent] = []
        for chunk in chunks {
            events += try parser.feed(chunk)
        }
        events += try parser.finish()
        return events
    }

    static func parseAll(_ text: String) throws -> [SSEEvent] {
        try parseAll([Array(text.utf8)])
    }

    @Test func basicEvents() throws {
        let events = try Self.parseAll("event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n")
        #expect(events == [
            SSEEvent(event: "message_start", data: #"{"a":1}"#),
            SSEEvent(event: "ping", data: #"{"type":"ping"}"#),
        ])
    }

    @Test func fieldRules() throws {
        let text = """
        : a comment line\r
        id: 7\r
        data:no-space\r
        data:  two spaces\r
        data\r
        retry: 1000\r
        unknown: field\r
        \r
        event: only-name-no-data\r
        \r
        data: after\r
        \r

        """
        let events = try Self.parseAll(text)
        #expect(events == [
            SSEEvent(event: nil, data: "no-space\n two spaces\n", id: "7"),
            SSEEvent(event: nil, data: "after", id: nil),
        ])
    }

    @Test func lineEndingsLFCRLFAndCR() throws {
        let expected = [SSEEvent(event: "e", data: "1\n2"), SSEEvent(event: nil, data: "3")]
        #expect(try Self.parseAll("event: e\ndata: 1\ndata: 2\n\ndata: 3\n\n") == expected)
        #expect(try Self.parseAll("event: e\r\ndata: 1\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n") == expected)
        #expect(try Self.parseAll("event: e\rdata: 1\rdata: 2\r\rdata: 3\r\r") == expected)
    }

    @Test func leadingBOMIsSkippedOnlyAtTheStart() throws {
        let events = try Self.parseAll([[0xEF, 0xBB], [0xBF] + Array("data: x\n\n".utf8)])
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func finishDeliversTheLastEventWithoutBlankLine() throws {
        #expect(try Self.parseAll("data: [DONE]\n") == [SSEEvent(data: "[DONE]")])
        #expect(try Self.parseAll("event: x\ndata: tail") == [SSEEvent(event: "x", data: "tail")])
        #expect(try Self.parseAll("data: a\n\n: trailing comment") == [SSEEvent(data: "a")])
    }

    static let splitStream = "event: message_start\r\ndata: {\"ü\":\"😀\"}\r\n\r\n: keep-alive\n\nid: 1\ndata: line1\ndata: line2\n\n"
        + "data: cr-only\r\rdata: {\"type\":\"message_stop\"}\n\n"

    @Test func everySplitPointGivesTheSameEvents() throws {
        let bytes = Array(Self.splitStream.utf8)
        let whole = try Self.parseAll([bytes])
        #expect(whole.count == 4)
        #expect(whole[0] == SSEEvent(event: "message_start", data: #"{"ü":"😀"}"#))
        #expect(whole[1] == SSEEvent(event: nil, data: "line1\nline2", id: "1"))
        #expect(whole[2] == SSEEvent(data: "cr-only"))
        for split in 0...bytes.count {
            let events = try Self.parseAll([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(events == whole, "split at \(split)")
        }
        for first in stride(from: 0, through: bytes.count, by: 5) {
            for second in stride(from: first, through: bytes.count, by: 7) {
                let events = try Self.parseAll([Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...])])
                #expect(events == whole, "split at \(first), \(second)")
            }
        }
        let byteByByte = try Self.parseAll(bytes.map { [$0] })
        #expect(byteByByte == whole)
    }

    @Test func oversizedEventIsAnError() throws {
        var parser = SSEParser(maximumEventBytes: 64)
        #expect(try parser.feed(Array("data: small\n\n".utf8)) == [SSEEvent(data: "small")])
        #expect(throws: SSEParserError(limit: 64)) {
            try parser.feed(Array(("data: " + String(repeating: "x", count: 100)).utf8))
        }
        // Stays failed.
        #expect(throws: SSEParserError.self) { try parser.feed(Array("data: y\n\n".utf8)) }
        #expect(throws: SSEParserError.self) { try parser.finish() }

        // Many small data lines of one event add up.
        var lines = SSEParser(maximumEventBytes: 64)
        #expect(throws: SSEParserError.self) {
            for _ in 0..<20 { _ = try lines.feed(Array("data: 0123456789\n".utf8)) }
        }
    }

    @Test func manyEventsBelowTheLimitAreFine() throws {
        var parser = SSEParser(maximumEventBytes: 64)
        var count = 0
        for _ in 0..<1000 {
            count += try parser.feed(Array("data: 0123456789012345678901234567890123456789\n\n".utf8)).count
        }
        #expect(count == 1000)
    }

    @Test func nonContiguousInput() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("data: z\n\n".utf8).lazy.map { $0 })
        #expect(events == [SSEEvent(data: "z")])
    }

    @Test func encoderWritesAnthropicFraming() {
        let bytes = SSEEncoder.event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": "a\nb"]])
        #expect(String(decoding: bytes, as: UTF8.self)
            == "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\nb\"}}\n\n")
        #expect(AnthropicStreamEvent("ping", ["type": "ping"]).bytes == Array("event: ping\ndata: {\"type\":\"ping\"}\n\n".utf8))
        #expect(SSEEncoder.encode([AnthropicStreamEvent("a", 1), AnthropicStreamEvent("b", nil)])
            == Array("event: a\ndata: 1\n\nevent: b\ndata: null\n\n".utf8))
    }

    @Test func commentsCannotInjectFields() throws {
        #expect(SSEEncoder.comment("keep-alive") == Array(": keep-alive\n\n".utf8))
        #expect(SSEEncoder.comment("a\ndata: evil\r\nb") == Array(": a\n: data: evil\n: b\n\n".utf8))
        #expect(try Self.parseAll([SSEEncoder.comment("a\ndata: evil\rb")]).isEmpty)
    }

    @Test func encodedEventsParseBack() throws {
        let event = AnthropicStreamEvent("message_delta", ["type": "message_delta", "text": "multi\nline ✓"])
        let parsed = try Self.parseAll([event.bytes])
        #expect(parsed == [SSEEvent(event: "message_delta", data: event.data.compactText)])
        #expect(try JSONValue.parse(parsed[0].data.utf8) == event.data)
    }
}
