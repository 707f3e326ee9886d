import Testing
@testable import MockUpstream

/// The mock's ledger past its limit (a ring since the soak's million requests): the newest `limit`
/// entries, oldest first, each closable by its seq until it is dropped.
@Suite struct MockLedgerRingTests {
    @Test func pastItsLimitTheLedgerKeepsTheNewestEntriesInOrder() {
        let ledger = MockLedger(limit: 3)
        let seqs = (1...7).map { ledger.open(path: "/v1/chat/completions", format: "openai", model: "m\($0)", stream: false) }
        #expect(seqs == [1, 2, 3, 4, 5, 6, 7])
        #expect(ledger.entries().map(\.seq) == [5, 6, 7])
        #expect(ledger.entries().map(\.model) == ["m5", "m6", "m7"])
        ledger.close(2, outcome: .completed)  // dropped already: nothing changes
        ledger.close(6, outcome: .status, status: 503)
        ledger.close(7, outcome: .completed, usage: .init(input: 11, output: 4))
        let entries = ledger.entries()
        #expect(entries.map(\.outcome) == [.inProgress, .status, .completed])
        #expect(entries.map(\.status) == [200, 503, 200])
        #expect(entries[2].usage == .init(input: 11, output: 4))
        ledger.reset()
        #expect(ledger.entries().isEmpty)
        #expect(ledger.open(path: "/v1/messages", format: "anthropic", model: "a", stream: true) == 1)
        #expect(ledger.entries().map(\.seq) == [1])
    }
}
