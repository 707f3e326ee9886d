import Foundation
public import Testing

/// The one skip policy of the test suite: whether a test may run without a real component it needs
/// (journald, promtool, prometheus, lnav, systemd-journal-remote, the PyPI SDK virtualenv, …).
///
/// - In CI a missing component is a **failure** (the thrown `RealComponent.Missing`).
/// - Locally it is a **visible skip**: `Test.cancel` with the reason and how to install it, reported
///   by swift-testing as a skipped test, never a silent pass.
///
/// CI is the environment variable `CI` set to anything but empty, `0`, `false` or `no` (case-insensitive):
/// GitHub Actions, GitLab and `.ci/run` set `CI=true`; `CI=1` counts too.
public enum RealComponent {
    public static var isCI: Bool { isCI(ProcessInfo.processInfo.environment["CI"]) }

    /// The parse of `CI`, on its own so that a test can pin it.
    public static func isCI(_ value: String?) -> Bool {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty else { return false }
        return !["0", "false", "no"].contains(value)
    }

    /// A component the test needs is not there, in CI.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Returns when `available`; otherwise fails in CI and skips visibly elsewhere. `what` names the
    /// component, `install` says how to get it (e.g. "scripts/install-deps").
    public static func require(_ what: String, available: Bool, install: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard !available else { return }
        let reason = "\(what) is not available (\(install))"
        if isCI { throw Missing(description: reason + " — required in CI") }
        try Test.cancel(Comment(rawValue: "skipped: " + reason), sourceLocation: sourceLocation)
    }

    /// The path of an executable found on `PATH` (then /usr/bin, /usr/local/bin), or the policy above.
    @discardableResult
    public static func program(_ name: String, package: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let found = executable(name)
        try require("\(name) (Debian package '\(package)')", available: found != nil, install: "scripts/install-deps installs it",
                    sourceLocation: sourceLocation)
        return found ?? name
    }

    /// An executable at an absolute path (e.g. /lib/systemd/systemd-journal-remote), or the policy above.
    @discardableResult
    public static func file(_ path: String, package: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try require("\(path) (Debian package '\(package)')", available: FileManager.default.isExecutableFile(atPath: path),
                    install: "scripts/install-deps installs it", sourceLocation: sourceLocation)
        return path
    }

    public static func executable(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return paths.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
