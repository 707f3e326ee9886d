import Foundation

/// `vdm replay` as a library: inputs in, mergeable state out, rendered by the live renderers.
///
/// The end-to-end exactness check is one call:
/// `try await Replay.totalsDocument(paths: [logFile], format: .yaml)` compared, through
/// `TotalsFormat.comparable`, with the live `/metrics/running-totals?include_active=false`.
public enum Replay {
    /// Called with every completed request a replay adds to its totals, once each (duplicates
    /// across inputs are known only when inputs meet, so with an observer the inputs are read one
    /// after another into one state, in path order).
    public typealias CompletionObserver = @Sendable (RequestMetrics) -> Void

    /// Checks every input can be opened before any work starts, so a typo fails fast and clearly.
    public static func checkReadable(_ paths: [String]) throws(InputError) {
        if paths.filter({ $0 == "-" }).count > 1 { throw InputError(path: "-", reason: "stdin given more than once") }
        for path in paths where path != "-" {
            _ = try FileSource(path: path)
        }
    }

    /// Reads `paths` (`-` is stdin; `.gz` and journal formats auto-detected) with `parallelism`
    /// tasks, then merges: the result does not depend on the order of `paths`, nor on
    /// `parallelism`. With more than one task, a plain JSON-lines file larger than `chunkBytes`
    /// (`FileChunk.defaultChunkBytes` when nil) is split at line boundaries (`FileChunk`) and its chunks read like files of their own
    /// (each numbered from 1, renumbered as it is appended, so every byte is read once). `onCompleted` sees every completed request in the totals.
    /// Complete blocks' record slots go to a temporary file in `temporaryDirectory` (`TMPDIR`,
    /// `/tmp`, when nil); an error (`InputError.spill`) when it cannot be written or read back.
    public static func run(paths: [String], limits: AggregateLimits = AggregateLimits(), parallelism: Int = Replay.processorCount,
                           chunkBytes: Int? = nil, temporaryDirectory: String? = nil,
                           progress: ProgressCounter? = nil, onCompleted: CompletionObserver? = nil) async throws(InputError) -> ReplayState {
        try checkReadable(paths)
        // Complete blocks' record slots leave memory for one temporary file (`SlotSpill`), so
        // memory does not grow with the log; a failure to use it is this run's error.
        let spill = SlotSpill(directory: temporaryDirectory)
        let state = try await read(paths: paths, limits: limits, parallelism: parallelism, chunkBytes: chunkBytes, progress: progress,
                             onCompleted: onCompleted, spill: spill)
        if let failure = spill.failure { throw InputError(path: spill.directory, reason: failure, spill: true) }
        return state
    }

    private static func read(paths: [String], limits: AggregateLimits, parallelism: Int, chunkBytes: Int?, progress: ProgressCounter?,
                             onCompleted: CompletionObserver?, spill: SlotSpill) async throws(InputError) -> ReplayState {
        if let onCompleted { return try readInTurn(paths: paths.sorted(), limits: limits, progress: progress, onCompleted: onCompleted, spill: spill) }
        let width = max(1, parallelism)
        do {
            let work = try plan(paths: paths, width: width, chunkBytes: chunkBytes ?? FileChunk.defaultChunkBytes)
            let merged = try await ParallelWork.foldInOrder(work, width: width, into: InOrderMerge(limits: limits, spill: spill)) { item throws(InputError) -> (Work, ReplayState, ReadStats?) in
                switch item {
                case .file(_, let path):
                    return (item, try readWhole(path: path, limits: limits, progress: progress, onCompleted: nil, spill: spill), nil)
                case .chunk(_, let chunk, _):
                    let (partial, stats) = try readChunk(chunk, limits: limits, progress: progress, spill: spill)
                    return (item, partial, stats)
                }
            } combine: { (merge: inout InOrderMerge, result: (Work, ReplayState, ReadStats?)) throws in
                try merge.add(result.0, result.1, result.2)
            }
            var state = merged.total
            state.inputs.sort { $0.path < $1.path }
            // A conflict partial states cannot settle (see `RecordBlock.merge`) is settled by one
            // state read in path order, where the first copy is the one read first (not for stdin).
            if state.unresolvedConflicts > 0 && !paths.contains("-") {
                return try readInTurn(paths: paths.sorted(), limits: limits, progress: nil, onCompleted: nil, spill: spill)
            }
            return state
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path: paths.joined(separator: " "), reason: "\(error)")
        }
    }

    /// Folds the tasks' results, in the order of the work: a file's state is merged into the total
    /// as `-j 1` merges it; a file read in chunks is first assembled, chunk after chunk, into the
    /// state one reader of the whole file has (`ReplayState.continued(by:)`, or the chunk read
    /// again on top of the state before it), with one input summary for the file. A chunk is read
    /// with line numbers of its own; the lines of the chunks before it (their `ReadStats.lines`:
    /// each ends with a newline) move them to the file's (`ReplayState.shift`).
    struct InOrderMerge {
        let limits: AggregateLimits
        let spill: SlotSpill?
        var total = ReplayState()
        private var file: (state: ReplayState, stats: ReadStats)?

        init(limits: AggregateLimits, spill: SlotSpill? = nil) {
            self.limits = limits
            self.spill = spill
        }

        mutating func add(_ item: Work, _ state: ReplayState, _ stats: ReadStats?) throws(InputError) {
            guard case .chunk(_, let chunk, let isLast) = item, let stats else {
                total.merge(state)
                return
            }
            if let before = file, chunk.start > 0 {
                var state = state
                state.shift(by: before.stats.lines, in: chunk.path)
                let appended: ReplayState
                if let fast = before.state.continued(by: state) {
                    appended = fast
                } else {
                    var numbered = chunk
                    numbered.firstLine = before.stats.lines + 1
                    appended = try Replay.reread(numbered, after: before.state, limits: limits, spill: spill)
                }
                var sum = before.stats
                sum.add(stats)
                file = (appended, sum)
            } else {
                file = (state, stats)
            }
            guard isLast, var whole = file else { return }
            whole.state.inputs = [InputSummary(path: chunk.path, stats: whole.stats)]
            total.merge(whole.state)
            file = nil
        }
    }

    /// What the tasks read: whole files, or (with more than one task) the chunks of large ones.
    enum Work: Sendable {
        case file(Int, String)
        case chunk(file: Int, FileChunk, last: Bool)
    }

    static func plan(paths: [String], width: Int, chunkBytes: Int) throws(InputError) -> [Work] {
        guard width > 1 else { return paths.enumerated().map { .file($0.offset, $0.element) } }
        var work: [Work] = []
        for (file, path) in paths.enumerated() {
            guard let chunks = try FileChunk.plan(path: path, chunkBytes: chunkBytes) else {
                work.append(.file(file, path))
                continue
            }
            work += chunks.enumerated().map { .chunk(file: file, $0.element, last: $0.offset == chunks.count - 1) }
        }
        return work
    }

    /// Reads one chunk into its own state, its lines numbered from 1 (without an input summary:
    /// the file's is added once).
    static func readChunk(_ chunk: FileChunk, limits: AggregateLimits, progress: ProgressCounter?,
                          spill: SlotSpill? = nil) throws(InputError) -> (ReplayState, ReadStats) {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, chunked: chunk.start > 0, spill: spill)
        let stats = try reader.read(chunk: chunk, progress: progress, into: &accumulator)
        return (accumulator.state, stats)
    }

    /// Reads `chunk` (numbered from its `firstLine` in the file) on top of `state`, the state of
    /// the lines before it: as one reader would.
    static func reread(_ chunk: FileChunk, after state: ReplayState, limits: AggregateLimits, spill: SlotSpill?) throws(InputError) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(resuming: state, limits: limits, spill: spill)
        _ = try reader.read(chunk: chunk, progress: nil, into: &accumulator)
        return accumulator.state
    }

    /// Reads `paths` one after another into one state, so a repeat is dropped where it is read.
    static func readInTurn(paths: [String], limits: AggregateLimits, progress: ProgressCounter?,
                           onCompleted: CompletionObserver?, spill: SlotSpill?) throws(InputError) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, onCompleted: onCompleted, spill: spill)
        for path in paths {
            let stats = try reader.read(path: path, progress: progress, into: &accumulator)
            accumulator.addInput(InputSummary(path: path, stats: stats))
        }
        return accumulator.state
    }

    /// Reads one input into its own state, on the calling thread.
    public static func readOne(path: String, limits: AggregateLimits = AggregateLimits(), progress: ProgressCounter? = nil,
                               onCompleted: CompletionObserver? = nil) throws(InputError) -> ReplayState {
        try readWhole(path: path, limits: limits, progress: progress, onCompleted: onCompleted, spill: nil)
    }

    /// `readOne`, complete blocks' slots moved to `spill` when there is one.
    static func readWhole(path: String, limits: AggregateLimits, progress: ProgressCounter?, onCompleted: CompletionObserver?,
                          spill: SlotSpill?) throws(InputError) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, onCompleted: onCompleted, spill: spill)
        let stats = try reader.read(path: path, progress: progress, into: &accumulator)
        accumulator.addInput(InputSummary(path: path, stats: stats))
        return accumulator.state
    }

    /// Replays record lines already split (e.g. a journal reader's `VDM_ECS_JSON` values).
    public static func state(lines: some Sequence<String>, name: String, limits: AggregateLimits = AggregateLimits(),
                             onCompleted: CompletionObserver? = nil) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, onCompleted: onCompleted)
        let stats = reader.read(lines: lines, name: name, into: &accumulator)
        accumulator.addInput(InputSummary(path: name, stats: stats))
        return accumulator.state
    }

    /// The running-totals document replay renders for `paths`: equal to the live
    /// `/metrics/running-totals?include_active=false` apart from the generation time.
    public static func totalsDocument(paths: [String], format: TotalsFormat = .yaml, filter: TotalsFilter = TotalsFilter(),
                                      generatedMicros: Int64 = WallClock.nowMicros()) async throws(InputError) -> String {
        let state = try await run(paths: paths)
        do throws(SumError) {
            return format.render(try state.runningTotals(filter: filter), generatedMicros: generatedMicros)
        } catch {
            throw InputError(path: paths.joined(separator: " "), reason: "\(error)")
        }
    }

    public static var processorCount: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
