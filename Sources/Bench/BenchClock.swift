#if canImport(Glibc)
import Glibc
#endif

/// Timing helpers for `vdm bench`: medians over repeated runs, because machines are shared and noisy.
/// Each run records wall time and the process's CPU time: on a loaded machine the scheduler inflates
/// wall time, while CPU time (every thread of the process, writer threads included) still counts the
/// work one operation costs.
struct BenchResult {
    var name: String
    var nanosPerOp: [Double]
    var cpuNanosPerOp: [Double] = []

    var median: Double { Self.median(nanosPerOp) }
    var cpuMedian: Double { Self.median(cpuNanosPerOp) }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

enum BenchClock {
    /// Benchmarks mean nothing in a debug build; say which one ran.
    static var buildConfiguration: String {
        #if DEBUG
        "DEBUG build: numbers are not meaningful, use swift run -c release"
        #else
        "release build"
        #endif
    }

    /// Runs `body` (which performs `ops` operations) `runs` times after one warm-up; ns per op each run.
    static func measure(_ name: String, runs: Int, ops: Int, _ body: () -> Void) -> BenchResult {
        body()
        var samples: [Double] = []
        var cpuSamples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let cpuStart = processCPUNanos()
            let elapsed = clock.measure { body() }
            let cpu = processCPUNanos() - cpuStart
            let nanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            samples.append(nanos / Double(ops))
            cpuSamples.append(cpu / Double(ops))
        }
        return BenchResult(name: name, nanosPerOp: samples, cpuNanosPerOp: cpuSamples)
    }

    /// CPU time of every thread of this process so far, ns.
    static func processCPUNanos() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
    }
}
