/// What `reopen()` did to one output.
public struct SinkReopen: Sendable, Equatable {
    public var sink: String
    public var outcome: ReopenOutcome

    public init(sink: String, outcome: ReopenOutcome) {
        self.sink = sink
        self.outcome = outcome
    }
}

/// What `reopen()` did.
public enum ReopenOutcome: Sendable, Equatable {
    /// The path was opened anew; later records go to it.
    case reopened
    /// Standard output or error: nothing to reopen.
    case notAFile
    /// The path could not be opened: records keep going to the old file.
    case failed(String)
    /// The writer did not get to it within the wait (it is stuck in a write); it will when it can.
    case pending
}
