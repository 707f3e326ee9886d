/// Timing helpers for `vdm bench`: medians over repeated runs, because machines are shared and noisy.
struct BenchResult {
    var name: String
    var nanosPerOp: [Double]

    var median: Double {
        let sorted = nanosPerOp.sorted()
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
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let elapsed = clock.measure { body() }
            let nanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            samples.append(nanos / Double(ops))
        }
        return BenchResult(name: name, nanosPerOp: samples)
    }
}
