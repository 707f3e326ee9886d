import Foundation
import LogPipeline
import Logging

/// `vdm bench replay`: replay throughput in-process (medians), one core and all cores.
package enum ReplayBench {
    package static func run(paths: [String], runs: Int) async throws -> String {
        let bytes = ProgressLine.totalSize(paths)
        var out = "vdm bench replay — \(paths.count) file(s), \(bytes) bytes, \(runs) runs, medians (release build)\n"
        for parallelism in Set([1, min(paths.count, Replay.processorCount)]).sorted() {
            var seconds: [Double] = []
            var requests = 0
            for _ in 0..<runs {
                let clock = ContinuousClock()
                var state = ReplayState()
                let elapsed = try await clock.measure {
                    state = try await Replay.run(paths: paths, parallelism: parallelism)
                }
                requests = state.completedRequests
                seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            let median = seconds.sorted()[seconds.count / 2]
            out += String(format: "  %d task(s): %.3f s  %.0f MB/s  (%d completed requests)\n", parallelism, median, Double(bytes) / median / 1e6, requests)
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        out += "  peak RSS of this process: \(usage.ru_maxrss / 1024) MB\n"
        return out
    }
}

