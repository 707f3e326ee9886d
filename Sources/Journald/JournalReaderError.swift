/// Why a journal could not be read, phrased for the person who asked.
public enum JournalReaderError: Error, CustomStringConvertible, Equatable {
    case directoryNotFound(String)
    case notADirectory(String)
    case noJournalFiles(String)
    /// The local journal has no files this user may read.
    case nothingReadable
    case openFailed(String, reason: String)
    case readFailed(String, reason: String)

    public var description: String {
        switch self {
        case .directoryNotFound(let path): "journal directory \(path) does not exist"
        case .notADirectory(let path): "\(path) is not a directory"
        case .noJournalFiles(let path): "no journal files (*.journal) in \(path) or its machine-id subdirectories"
        case .nothingReadable:
            "no journal files found or readable (no journald on this machine, or run as root or as a member of the systemd-journal or adm group)"
        case .openFailed(let what, let reason): "cannot open the journal \(what): \(reason)"
        case .readFailed(let what, let reason): "cannot read the journal (\(what)): \(reason)"
        }
    }
}
