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

    /// Reads `paths` (`-` is stdin; `.gz` and journal formats auto-detected), each in its own task
    /// with its own state (at most `parallelism` at once), then merges: the result does not depend
    /// on the order of `paths`. `onCompleted` sees every completed request in the totals.
    public static func run(paths: [String], limits: AggregateLimits = AggregateLimits(), parallelism: Int = Replay.processorCount,
                           progress: ProgressCounter? = nil, onCompleted: CompletionObserver? = nil) async throws(InputError) -> ReplayState {
        try checkReadable(paths)
        if let onCompleted { return try readInTurn(paths: paths.sorted(), limits: limits, progress: progress, onCompleted: onCompleted) }
        let width = max(1, min(parallelism, paths.count))
        do {
            let state = try await withThrowingTaskGroup(of: ReplayState.self) { group in
                var next = 0
                func launch() {
                    let path = paths[next]
                    next += 1
                    group.addTask { try readOne(path: path, limits: limits, progress: progress, onCompleted: onCompleted) }
                }
                while next < width { launch() }
                var total = ReplayState()
                while let partial = try await group.next() {
                    total.merge(partial)
                    if next < paths.count { launch() }
                }
                return total
            }
            // A conflict partial states cannot settle (see `RecordBlock.merge`) is settled by one
            // state read in path order, where the first copy is the one read first (not for stdin).
            if state.unresolvedConflicts > 0 && !paths.contains("-") {
                return try readInTurn(paths: paths.sorted(), limits: limits, progress: nil, onCompleted: nil)
            }
            return state
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path: paths.joined(separator: " "), reason: "\(error)")
        }
    }

    /// Reads `paths` one after another into one state, so a repeat is dropped where it is read.
    static func readInTurn(paths: [String], limits: AggregateLimits, progress: ProgressCounter?,
                           onCompleted: CompletionObserver?) throws(InputError) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, onCompleted: onCompleted)
        for path in paths {
            let stats = try reader.read(path: path, progress: progress, into: &accumulator)
            accumulator.addInput(InputSummary(path: path, stats: stats))
        }
        return accumulator.state
    }

    /// Reads one input into its own state, on the calling thread.
    public static func readOne(path: String, limits: AggregateLimits = AggregateLimits(), progress: ProgressCounter? = nil,
                               onCompleted: CompletionObserver? = nil) throws(InputError) -> ReplayState {
        let reader = RecordReader()
        var accumulator = ReplayAccumulator(limits: limits, onCompleted: onCompleted)
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
