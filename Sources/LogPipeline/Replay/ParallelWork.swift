/// Runs `body` over `items` on at most `width` tasks and folds the results into `initial` as
/// they arrive (in completion order: `combine` must not depend on it, as `ReplayState.merge`
/// does not). The readers block their threads while they parse, so more tasks than cores only
/// adds states to merge.
enum ParallelWork {
    static func fold<Item: Sendable, Result: Sendable, Total>(
        _ items: [Item], width: Int, into initial: Total,
        _ body: @escaping @Sendable (Item) throws(InputError) -> Result,
        combine: (inout Total, Result) -> Void
    ) async throws -> Total {
        var total = initial
        guard !items.isEmpty else { return total }
        try await withThrowingTaskGroup(of: Result.self) { group in
            var next = 0
            func launch() {
                let item = items[next]
                next += 1
                group.addTask { try body(item) }
            }
            while next < min(max(1, width), items.count) { launch() }
            while let result = try await group.next() {
                combine(&total, result)
                if next < items.count { launch() }
            }
        }
        return total
    }
}
