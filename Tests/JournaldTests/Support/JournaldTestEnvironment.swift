import Foundation
import Journald
import RealComponent
import Testing

/// The private journald that scripts/with-journald starts. Its absence is a failure in CI and a visible
/// skip elsewhere (`RealComponent`, the suite's one skip policy).
struct JournaldTestEnvironment: Sendable {
    let journalDirectory: String
    let control: String

    private static var env: [String: String] { ProcessInfo.processInfo.environment }

    static var current: JournaldTestEnvironment? {
        guard let directory = env["VDM_TEST_JOURNAL_DIR"], let control = env["VDM_TEST_JOURNALD_CTL"],
              journaldListening()
        else { return nil }
        return JournaldTestEnvironment(journalDirectory: directory, control: control)
    }

    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> JournaldTestEnvironment {
        let found = current
        try RealComponent.require(
            "an isolated systemd-journald (VDM_TEST_JOURNAL_DIR/VDM_TEST_JOURNALD_CTL set, /run/systemd/journal/socket answering)",
            available: found != nil, install: "run the tests through scripts/with-journald as root", sourceLocation: sourceLocation)
        guard let found else { throw TestEnvironmentError("no isolated systemd-journald") }
        return found
    }

    /// `stop`, `start`, `restart` or `pid` through scripts/with-journald.
    @discardableResult
    func journald(_ command: String) throws -> String {
        try run("/bin/bash", [control, command]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func journaldPID() throws -> Int32 {
        guard let pid = Int32(try journald("pid")) else { throw TestEnvironmentError("no journald pid") }
        return pid
    }

    var reader: JournalReader {
        get throws { try JournalReader(source: .directory(journalDirectory)) }
    }

    /// `journalctl --directory DIR -o json --all MATCH…`, one dictionary per entry.
    func journalctlJSON(_ arguments: [String]) throws -> [[String: [UInt8]]] {
        let output = try run("/usr/bin/journalctl", ["--directory", journalDirectory, "-o", "json", "--all", "--no-pager"] + arguments)
        return try output.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestEnvironmentError("journalctl printed a non-object: \(line.prefix(200))")
            }
            return try object.mapValues(Self.bytes)
        }
    }

    /// journalctl -o json: strings, byte arrays for non-UTF-8/control data, arrays for repeated fields.
    private static func bytes(_ value: Any) throws -> [UInt8] {
        if let text = value as? String { return Array(text.utf8) }
        if let numbers = value as? [NSNumber] { return numbers.map { $0.uint8Value } }
        throw TestEnvironmentError("unexpected journalctl JSON value \(value) (repeated or null field)")
    }

    /// Polls until `count()` reaches `expected` (journald stores asynchronously after the send).
    func waitFor(_ expected: Int, timeout: Duration = .seconds(20), _ count: () throws -> Int) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var seen = try count()
        while seen < expected && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            seen = try count()
        }
        return seen
    }
}

struct TestEnvironmentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program and returns its stdout; throws with its stderr when it fails.
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting: a full pipe would block the child.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestEnvironmentError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
            + String(decoding: stderr, as: UTF8.self))
    }
    return String(decoding: stdout, as: UTF8.self)
}
