/// Runs `body` over `items` on at most `width` tasks and folds the results into `initial` in the
/// order of `items`, whatever order they finish in: `-j N` merges what `-j 1` merges, in the same
/// order (see `ReplayState.continued(by:)`). At most `ahead` results wait for an earlier one, so
/// memory stays bounded by the window, not the input. The readers block their threads while they
/// parse, so more tasks than cores only adds states to merge.
enum ParallelWork {
    static func foldInOrder<Item: Sendable, Result: Sendable, Total>(
        _ items: [Item], width: Int, into initial: Total,
        _ body: @escaping @Sendable (Item) throws(InputError) -> Result,
        combine: (inout Total, Result) throws -> Void
    ) async throws -> Total {
        var total = initial
        guard !items.isEmpty else { return total }
        let width = max(1, width)
        let ahead = 4 * width
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var next = 0, combined = 0, running = 0
            var waiting: [Int: Result] = [:]
            func launch() {
                let index = next
                let item = items[index]
                next += 1
                running += 1
                group.addTask { (index, try body(item)) }
            }
            while next < items.count && running < width { launch() }
            while let (index, result) = try await group.next() {
                running -= 1
                waiting[index] = result
                while let ready = waiting.removeValue(forKey: combined) {
                    try combine(&total, ready)
                    combined += 1
                }
                // Item `combined` is running whenever results wait, so this never stalls.
                while next < items.count && running < width && next - combined < ahead { launch() }
            }
        }
        return total
    }
}
