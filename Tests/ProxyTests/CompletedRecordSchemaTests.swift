import Foundation
import Journald
import LogPipeline
import Testing
import VDMProxy

/// `CompletedRecordSchema` against every place that spells a `request.completed` field: the
/// encoder's output, the replay parser, the journald mapping, docs/log-schema.md, docs/journald.md,
/// the Elasticsearch template and the lnav format. A field added to one of them only fails here,
/// naming the place that lacks it.
@Suite struct CompletedRecordSchemaTests {
    typealias Schema = CompletedRecordSchema

    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: repoRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// A failure with every optional value set and every integer distinct, so a swapped field shows.
    static let failure = RequestMetrics(
        requestID: "0b5e0c7e-7b8a-4a8c-9d55-1f3f7f2c8a11", requestedModel: "openai:gpt-4o", resolvedModel: "gpt-4o",
        provider: "openai", isStreaming: true, startMicros: 1_795_907_289_482_331, durationNanos: 1_200_000_017,
        upstreamNanos: 900_000_019, firstTokenNanos: 300_000_023, inputTokens: 101, outputTokens: 203,
        cacheReadTokens: 307, cacheCreationTokens: 409, toolUses: 5, toolResults: 6, toolCalls: 7, messageCount: 11,
        requestBytes: 1_301, responseBytes: 1_709, httpStatus: 502, error: "upstream said no", errorType: "upstream_error",
        stopReason: "end_turn", clientRequestID: "client-42")

    /// A success with no optional value.
    static let success = RequestMetrics(
        requestID: "7f0c2a9e-5b1d-4f0e-8c3a-2d6e9b1a4c7f", requestedModel: "claude-3", resolvedModel: "claude-3-x",
        provider: "anthropic", startMicros: 1_795_907_289_000_001, durationNanos: 77, inputTokens: 1, outputTokens: 2,
        httpStatus: 200)

    static func line(_ m: RequestMetrics) -> [UInt8] {
        let record = LogRecord(
            timestampMicros: 1_795_907_289_582_331, level: .info, message: "done", logger: "vdm.request",
            instanceID: "instance", sequence: 3, correlationID: m.requestID, payload: RequestCompletedPayload(metrics: m))
        var out: [UInt8] = []
        ECSJSONEncoder().encode(record, into: &out)
        if out.last == UInt8(ascii: "\n") { out.removeLast() }
        return out
    }

    /// The payload's members: what follows `event.action`.
    static func payloadMembers(_ m: RequestMetrics) throws -> [(key: String, value: JSONValue)] {
        let members = try #require(try JSONValue.parse(line(m)).object)
        let action = try #require(members.firstIndex { $0.key == "event.action" })
        #expect(members[action].value == .string(EventAction.requestCompleted))
        return Array(members[(action + 1)...])
    }

    static func expectedJSON(_ field: Schema.Field, _ m: RequestMetrics) -> JSONValue? {
        switch field.value {
        case .integer(let read): .number(String(read(m)))
        case .string(let read): read(m).map(JSONValue.string)
        case .boolean(let read): .bool(read(m))
        }
    }

    @Test func keysAndJournaldFieldsAreUnique() {
        #expect(Set(Schema.fields.map(\.key)).count == Schema.fields.count)
        #expect(Set(Schema.fields.map(\.name)).count == Schema.fields.count)
        #expect(Set(Schema.fields.map(\.journaldField)).count == Schema.fields.count)
        #expect(Schema.fields.count == 26)  // one more (or fewer) field: update this count with the row
    }

    // MARK: the writer

    @Test func theEncoderWritesEveryFieldInTableOrderWithTheTablesValue() throws {
        let written = try Self.payloadMembers(Self.failure)
        #expect(written.map(\.key) == Schema.fields.map(\.key.name))
        for (field, member) in zip(Schema.fields, written) {
            #expect(member.value == Self.expectedJSON(field, Self.failure), "\(field.key)")
        }
    }

    @Test func aSuccessOmitsTheOptionalAndFailureFields() throws {
        let written = try Self.payloadMembers(Self.success).map(\.key)
        let expected = Schema.fields.filter { $0.written == .always || $0.written == .whenTrueSum }.map(\.key.name)
        #expect(written == expected)
        #expect(!written.contains("error.type") && !written.contains("vdm.stop_reason"))
    }

    // MARK: the reader

    /// The completed record's metrics as replay reads them (nil: not a completed record; throws
    /// the parser's `FieldProblem`).
    static func parsed(_ line: [UInt8]) throws -> RequestMetrics? {
        let parser = RecordParser()
        return try line.withUnsafeBytes { raw in
            guard parser.parse(raw) == .record(.completed) else { return nil }
            return try parser.completedMetrics()
        }
    }

    /// The line with one payload member taken out, re-serialized.
    static func line(_ m: RequestMetrics, without key: FieldKey) throws -> [UInt8] {
        let members = try #require(try JSONValue.parse(line(m)).object)
        #expect(members.contains { $0.key == key.name })
        return JSONValue.object(members.filter { $0.key != key.name }).serialized()
    }

    @Test func theParserReadsBackWhatTheEncoderWrote() throws {
        #expect(try Self.parsed(Self.line(Self.failure)) == Self.failure)
        #expect(try Self.parsed(Self.line(Self.success)) == Self.success)
        let keys = Set(RecordField.allCases.map(\.key))
        for field in Schema.fields where field.read != .ignored {
            #expect(keys.contains(field.key.name), "the parser has no slot for \(field.key)")
        }
    }

    @Test("an absent field is read as the table says", arguments: Schema.fields.map(\.name))
    func absentField(_ name: String) throws {
        let field = try #require(Schema.fields.first { $0.name == name })
        let line = try Self.line(Self.failure, without: field.key)
        switch field.read {
        case .required:
            #expect(throws: FieldProblem.self) { try Self.parsed(line) }
            do {
                _ = try Self.parsed(line)
            } catch {
                #expect((error as? FieldProblem)?.field == field.key.name)
            }
        case .zeroWhenAbsent:
            let m = try #require(try Self.parsed(line))
            guard case .integer(let read) = field.value else { Issue.record("\(field.key): not an integer"); return }
            #expect(read(m) == 0)
        case .nilWhenAbsent:
            let m = try #require(try Self.parsed(line))
            guard case .string(let read) = field.value else { Issue.record("\(field.key): not a string"); return }
            #expect(read(m) == nil)
        case .emptyWhenAbsent:
            let m = try #require(try Self.parsed(line))
            guard case .string(let read) = field.value else { Issue.record("\(field.key): not a string"); return }
            #expect(read(m) == "")
        case .ignored:
            #expect(try Self.parsed(line) == Self.failure)
        }
    }

    /// The fields whose bound replay and the live tracker refuse (the rest are clipped on the way
    /// in, derived, or unbounded booleans).
    static let refusedPastBound = Schema.fields.filter {
        switch $0.bound {
        case .range, .maxBytes, .oneOf: true
        case .clippedTo, .derived, .none: false
        }
    }.map(\.name)

    @Test func everyIntegerAndEveryReadStringHasARefusedBound() {
        for field in Schema.fields where field.read != .ignored {
            if case .boolean = field.value { continue }
            var clipped = false
            if case .clippedTo = field.bound { clipped = true }
            #expect(Self.refusedPastBound.contains(field.name) || clipped, "\(field.key) has no bound")
        }
    }

    @Test("a value one past its bound is refused, naming the field", arguments: refusedPastBound)
    func pastTheBound(_ name: String) throws {
        let field = try #require(Schema.fields.first { $0.name == name })
        let members = try #require(try JSONValue.parse(Self.line(Self.failure)).object)
        let past: JSONValue
        switch field.bound {
        case .range(let range): past = .number(String(range.upperBound + 1))
        case .maxBytes(let limit): past = .string(String(repeating: "m", count: limit + 1))
        case .oneOf(let allowed): past = .string(allowed.joined() + "x")
        case .clippedTo, .derived, .none: Issue.record("\(field.key) has no refused bound"); return
        }
        let line = JSONValue.object(members.map { $0.key == field.key.name ? (key: $0.key, value: past) : $0 }).serialized()
        do {
            _ = try Self.parsed(line)
            Issue.record("\(field.key) = \(past.compactText) was accepted")
        } catch {
            #expect((error as? FieldProblem)?.field == field.key.name, "\(error)")
        }
    }

    // MARK: journald and the documentation

    @Test func theJournaldMappingGivesTheTablesField() {
        for field in Schema.fields {
            #expect(JournalFieldName.forField(field.key.name) == field.journaldField)
        }
    }

    @Test func docsJournaldListsEveryField() throws {
        let doc = try Self.text("docs/journald.md")
        for field in Schema.fields {
            #expect(doc.contains("| `\(field.key)` | `\(field.journaldField)` |"), "docs/journald.md lacks \(field.key)")
        }
    }

    /// The `request.completed` section of docs/log-schema.md names exactly the table's keys.
    @Test func docsLogSchemaDocumentsExactlyTheTablesFields() throws {
        let doc = try Self.text("docs/log-schema.md")
        let start = try #require(doc.range(of: "Every field the metrics aggregator reads."))
        let end = try #require(doc.range(of: "### `summary.checkpoint`", range: start.upperBound..<doc.endIndex))
        var documented: Set<String> = []
        for row in doc[start.upperBound..<end.lowerBound].split(separator: "\n") where row.hasPrefix("| `") {
            let firstCell = row.dropFirst(2).prefix { $0 != "|" }
            for piece in firstCell.split(separator: "`") where piece.contains(".") { documented.insert(String(piece)) }
        }
        #expect(documented == Set(Schema.fields.map(\.key.name)))
    }

    @Test func theElasticsearchTemplateMapsEveryFieldWithItsType() throws {
        let mappings = try ElasticsearchTemplateSimulationTests.mappings
        for field in Schema.fields {
            let allowed: Set<String> = switch field.value {
            case .integer: ["long"]
            case .boolean: ["boolean"]
            case .string: ["keyword", "match_only_text"]
            }
            let type = mappings.types[field.key.name]
            #expect(type.map(allowed.contains) == true, "\(field.key): \(type ?? "not mapped")")
        }
    }

    @Test func theLnavFormatDeclaresEveryFieldWithItsKind() throws {
        let format = try JSONValue.parse(Self.text("contrib/lnav/vdm_ecs_log.json"))
        let values = try #require(format["vdm_ecs_log"]?["value"])
        for field in Schema.fields {
            let kind = values[field.key.name]?["kind"]?.string
            let expected = switch field.value {
            case .integer: "integer"
            case .boolean: "boolean"
            case .string: "string"
            }
            #expect(kind == expected, "contrib/lnav/vdm_ecs_log.json: \(field.key) is \(kind ?? "not declared")")
        }
    }
}
