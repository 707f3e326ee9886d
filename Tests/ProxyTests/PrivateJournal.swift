import Foundation
import RealComponent
import Testing

/// The private journald of `scripts/with-journald`, as the proxy tests need it: its journal directory,
/// or `RealComponent`'s policy (a failure in CI, a visible skip elsewhere).
enum PrivateJournal {
    static var directory: String? { ProcessInfo.processInfo.environment["VDM_TEST_JOURNAL_DIR"] }

    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let found = directory
        try RealComponent.require("a private systemd-journald (VDM_TEST_JOURNAL_DIR)", available: found != nil,
                                  install: "run the tests through scripts/with-journald as root", sourceLocation: sourceLocation)
        return found ?? ""
    }
}
