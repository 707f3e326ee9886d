import Dispatch
import Glibc
import Logging
import LogPipeline

/// SIGHUP reopens the file log outputs: logrotate's `postrotate` convention (rename the file, then
/// `kill -HUP`). A Dispatch signal source, so the work runs on a queue, not in a signal handler.
/// Each reopen is logged after it took effect, so the line is the first of the new file.
final class LogReopenSignal: @unchecked Sendable {
    // @unchecked: `source` is set once in init and only cancelled after; Dispatch sources are thread-safe.
    private let source: any DispatchSourceSignal

    init(logs: LogSetup) {
        // The default action of SIGHUP ends the process: ignore it, the source still sees it.
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "vdm.sighup"))
        let logger = logs.logger("vdm.lifecycle")
        source.setEventHandler {
            for result in logs.router.reopen() {
                switch result.outcome {
                case .reopened:
                    logger.info("SIGHUP: reopened log file \(result.sink)")
                case .notAFile:
                    break
                case .pending:
                    logger.warning("SIGHUP: log output \(result.sink) is busy in a write; it reopens its file when the write returns")
                case .failed(let why):
                    logger.error("SIGHUP: cannot reopen log file \(result.sink): \(why); still writing to the old file")
                }
            }
        }
        source.resume()
        self.source = source
    }

    /// Stops listening; SIGHUP's default action (end the process) is back.
    func cancel() {
        source.cancel()
        signal(SIGHUP, SIG_DFL)
    }
}
