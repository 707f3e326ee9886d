import LogPipeline

/// journald `MESSAGE_ID`s, one per vdm event kind, so `journalctl MESSAGE_ID=…` selects a kind without
/// parsing. Fixed forever (generated once with `systemd-id128 new`); documented in docs/journald.md.
/// Plain log lines (no `event.action`) carry none: a MESSAGE_ID names a message type, and "any other
/// line" is not one.
package enum JournaldMessageID {
    package static let requestStarted = "1f6086d6f90d4d95935094ddeffbf8c0"
    package static let requestCompleted = "2021e21071ff43368d678a8b9542cfd5"
    package static let summaryCheckpoint = "e16a6cc1803d452495798473c293fdf1"
    package static let summaryModels = "7046444269cf4d7fbb5a7b90033e9665"
    package static let summaryErrors = "092962a9c2f444009eddd39629207851"

    /// The id for an `event.action`, or nil for actions without one.
    package static func forAction(_ action: String) -> String? {
        switch action {
        case EventAction.requestStarted: requestStarted
        case EventAction.requestCompleted: requestCompleted
        case EventAction.summaryCheckpoint: summaryCheckpoint
        case EventAction.summaryModels: summaryModels
        case EventAction.summaryErrors: summaryErrors
        default: nil
        }
    }
}
