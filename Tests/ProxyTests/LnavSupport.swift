import Foundation

/// lnav with the contrib format installed into a configuration of its own (a temporary HOME), never
/// the user's ~/.lnav. lnav exits 0 even when a command or query fails, so `query` judges by the
/// output: errors on stderr or a result that is not a JSON array fail the test.
struct Lnav {
    static let formatName = "vdm_ecs_log"
    static var formatFile: URL { Repository.url("contrib/lnav/vdm_ecs_log.json") }

    let binary: String
    let home: URL

    /// Installs `contrib/lnav/vdm_ecs_log.json` with `lnav -i` into a fresh temporary HOME.
    static func withInstalledFormat<T>(_ body: (Lnav) async throws -> T) async throws -> T {
        let binary = try ExternalTool.require("lnav", package: "lnav")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-lnav-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let lnav = Lnav(binary: binary, home: home)
        let installed = try await lnav.run(["-i", formatFile.path])
        let target = home.appendingPathComponent(".lnav/formats/installed/\(formatName).json")
        guard installed.status == 0, FileManager.default.fileExists(atPath: target.path) else {
            throw TestFailure("lnav -i failed (exit \(installed.status)): \(installed.stdout)\(installed.stderr)")
        }
        return try await body(lnav)
    }

    /// Only what lnav needs: HOME pointing at the temporary one (XDG_CONFIG_HOME too, which lnav
    /// prefers when set), a UTC clock, no terminal.
    var environment: [String: String] {
        ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path, "TZ": "UTC",
         "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TERM": "dumb", "LANG": "C.UTF-8"]
    }

    func run(_ arguments: [String]) async throws -> ExternalTool.Output {
        try await ExternalTool.run(binary, arguments, environment: environment)
    }

    /// Runs one SQL query headlessly over `files` and returns its rows.
    func query(_ sql: String, files: [String]) async throws -> [[String: Any]] {
        let result = try await run(["-n", "-c", ";" + sql, "-c", ":write-json-to -"] + files)
        guard result.status == 0, result.stderr.isEmpty else {
            throw TestFailure("lnav query failed (exit \(result.status)): \(result.stderr)\nquery: \(sql)")
        }
        guard let rows = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw TestFailure("lnav wrote no JSON rows: \(result.stdout.prefix(500))\nquery: \(sql)")
        }
        return rows
    }
}
