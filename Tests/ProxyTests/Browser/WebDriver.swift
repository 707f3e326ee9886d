import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VDMBench
#if canImport(Glibc)
import Glibc
#endif

/// A real headless Chromium driven by `chromedriver` (Debian packages `chromium`, `chromium-driver`)
/// over W3C WebDriver, spoken with AsyncHTTPClient. One instance: one chromedriver process, one
/// browser session; `stop()` ends both and removes the profile directory.
final class WebDriver: @unchecked Sendable {  // Process is not Sendable; only the test task touches it
    let process: Process
    let port: Int
    let session: String
    let profile: URL

    static let chromedriverPackage = "chromium-driver"

    static func start(width: Int = 1280, height: Int = 800) async throws -> WebDriver {
        let driver = try ExternalTool.require("chromedriver", package: chromedriverPackage)
        let browser = try ExternalTool.require("chromium", package: "chromium")
        let port = try await ServerPorts.free()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let log = profile.appendingPathComponent("chromedriver.log")
        // A small, fixed environment: nothing of the test process's (toolchain paths) reaches the browser.
        let child = try ChildProcess.start(driver, ["--port=\(port)", "--allowed-ips=127.0.0.1"],
                                           env: ["PATH": "/usr/bin:/bin", "HOME": profile.path, "LANG": "C.UTF-8", "TMPDIR": FileManager.default.temporaryDirectory.path],
                                           inherit: false, output: log.path)
        let process = child.process
        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(30)
        var ready = false
        while ContinuousClock.now < deadline, process.isRunning {
            if let status = try? await call(base, .GET, "/status"), (status["value"] as? [String: Any])?["ready"] as? Bool == true {
                ready = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard ready else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("chromedriver did not become ready: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:loggingPrefs": ["browser": "ALL"],
            "goog:chromeOptions": [
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--hide-scrollbars", "--window-size=\(width),\(height)", "--user-data-dir=" + profile.appendingPathComponent("profile").path],
            ],
        ]]]
        DashboardBrowserTests.step("chromedriver ready on \(port)")
        let created: [String: Any]
        do {
            created = try await call(base, .POST, "/session", capabilities, timeout: 60)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        guard let value = created["value"] as? [String: Any], let session = value["sessionId"] as? String else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("no WebDriver session: \(created)")
        }
        return WebDriver(process: process, port: port, session: session, profile: profile)
    }

    private init(process: Process, port: Int, session: String, profile: URL) {
        self.process = process
        self.port = port
        self.session = session
        self.profile = profile
    }

    private var base: String { "http://127.0.0.1:\(port)" }

    func navigate(_ url: String) async throws {
        _ = try await command(.POST, "/url", ["url": url])
    }

    /// Runs `script` (a function body) in the page and returns its JSON value.
    func execute(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command(.POST, "/execute/sync", ["script": script, "args": arguments])["value"]
    }

    /// Runs a script that returns a JSON string, decoded to an object.
    func json(_ script: String) async throws -> [String: Any] {
        guard let text = try await execute(script) as? String else { throw TestFailure("script returned no string: \(script.prefix(80))") }
        return try JSONTestValue.object(text)
    }

    /// Polls `condition` (returning true/false in the page) until true or the deadline; returns
    /// the time it took, or nil when the deadline passed.
    func wait(for condition: String, timeout: Duration = .seconds(10)) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try await execute("return Boolean(" + condition + ");") as? Bool == true { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    func element(_ css: String) async throws -> String {
        let found = try await command(.POST, "/element", ["using": "css selector", "value": css])
        guard let value = found["value"] as? [String: Any], let id = value.first(where: { $0.key.hasPrefix("element-") })?.value as? String else {
            throw TestFailure("no element \(css): \(found)")
        }
        return id
    }

    func type(_ text: String, into css: String) async throws {
        _ = try await command(.POST, "/element/\(try await element(css))/value", ["text": text])
    }

    func click(_ css: String) async throws {
        _ = try await command(.POST, "/element/\(try await element(css))/click", [:])
    }

    /// The current tab's handle; `openTab` makes a new one (the current one goes to the background).
    func currentTab() async throws -> String {
        guard let handle = try await command(.GET, "/window", nil)["value"] as? String else { throw TestFailure("no window handle") }
        return handle
    }

    func openTab() async throws -> String {
        guard let value = try await command(.POST, "/window/new", ["type": "tab"])["value"] as? [String: Any], let handle = value["handle"] as? String else {
            throw TestFailure("no new tab")
        }
        return handle
    }

    func switchTo(tab handle: String) async throws {
        _ = try await command(.POST, "/window", ["handle": handle])
    }

    func setWindow(width: Int, height: Int) async throws {
        _ = try await command(.POST, "/window/rect", ["width": width, "height": height])
    }

    /// A PNG of the viewport, written to `url`.
    func screenshot(to url: URL) async throws {
        let reply = try await command(.GET, "/screenshot", nil)
        guard let base64 = reply["value"] as? String, let data = Data(base64Encoded: base64) else { throw TestFailure("no screenshot") }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// The page's script errors since the last call (chromedriver's log; failed fetches, which a test
    /// may cause on purpose by stopping the proxy, are left out).
    func scriptErrors() async -> [String] {
        guard let logs = try? await command(.POST, "/se/log", ["type": "browser"])["value"] as? [[String: Any]] else { return ["cannot read the browser log"] }
        return logs.compactMap { entry in
            entry["level"] as? String == "SEVERE" && entry["source"] as? String != "network" ? entry["message"] as? String : nil
        }
    }

    func stop() async {
        _ = try? await command(.DELETE, "", nil)
        if process.isRunning {
            // SIGKILL: the test process ignores SIGTERM (service-lifecycle's signal handling), and a
            // child inherits an ignored signal, so chromedriver would never see a terminate().
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: profile)
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> [String: Any] {
        let reply = try await Self.call(base, method, "/session/\(session)" + path, body)
        if let value = reply["value"] as? [String: Any], let error = value["error"] as? String {
            throw TestFailure("WebDriver \(path): \(error): \(value["message"] ?? "")")
        }
        return reply
    }

    private static func call(_ base: String, _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, timeout: Int64 = 30) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        return try JSONTestValue.object(text)
    }
}
