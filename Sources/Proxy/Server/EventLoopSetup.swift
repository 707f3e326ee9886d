import NIOCore
import NIOPosix

/// How many NIO event loops a server process runs, and whether Swift concurrency's jobs run on them.
///
/// Measured in docs/BENCHMARKS.md: running jobs on the loops that own the sockets saves a hop between
/// the cooperative pool and the loops per await; on this 2-core VM one loop also cut context switches
/// per proxied request from 4.2 to 1.5. Must run before anything touches NIO's singletons.
package enum EventLoopSetup {
    /// `VDM_EVENT_LOOPS` (default: NIO's choice, one per core); `VDM_EVENT_LOOP_EXECUTOR=0` keeps the
    /// default cooperative pool. A `VDM_EVENT_LOOPS` that is not a whole number from 1 to 256 is a
    /// configuration error, not silently the default.
    package static func install(env: [String: String]) throws(ConfigurationError) {
        if let text = env["VDM_EVENT_LOOPS"], !text.isEmpty {
            guard let loops = Int(text), (1...256).contains(loops) else {
                throw ConfigurationError(variable: "VDM_EVENT_LOOPS", problem: "must be a whole number from 1 to 256 (got '\(text.prefix(40))')")
            }
            NIOSingletons.groupLoopCountSuggestion = loops
        }
        if env["VDM_EVENT_LOOP_EXECUTOR"] != "0" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
    }
}
