import Foundation
import LogPipeline
import Testing
import Journald

/// docs/journald.md is what operators type into journalctl: it must match the code.
@Suite struct JournaldDocsTests {
    static let docsPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/journald.md").path

    /// `| `key` | `NAME` |` rows.
    static func rows() throws -> [(String, String)] {
        let text = try String(contentsOfFile: docsPath, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, cells.allSatisfy({ $0.hasPrefix("`") && $0.hasSuffix("`") && $0.count > 2 }) else { return nil }
            return (String(cells[0].dropFirst().dropLast()), String(cells[1].dropFirst().dropLast()))
        }
    }

    @Test func payloadFieldTableMatchesTheNamingRule() throws {
        let rows = try Self.rows()
        let documented = Dictionary(rows, uniquingKeysWith: { a, _ in a })
        var keys = Set<String>()
        keys.formUnion(PayloadFields.of(RequestCompletedPayload(metrics: metrics("x", error: "e"))).map(\.key))
        keys.formUnion(PayloadFields.of(RequestStartedPayload(metrics: metrics("x"), toolsDefined: 1, maxTokens: 1)).map(\.key))
        keys.formUnion(PayloadFields.of(SummaryCheckpointPayload(interval: 1, totals: MetricCounters())).map(\.key))
        for key in keys {
            #expect(documented[key] == JournalFieldName.forField(key), "\(key)")
        }
    }

    @Test func messageIDTableMatchesTheCode() throws {
        let documented = Dictionary(try Self.rows(), uniquingKeysWith: { a, _ in a })
        for action in [EventAction.requestStarted, EventAction.requestCompleted, EventAction.summaryCheckpoint,
                       EventAction.summaryModels, EventAction.summaryErrors] {
            #expect(documented[action] == JournaldMessageID.forAction(action), "\(action)")
        }
    }
}
