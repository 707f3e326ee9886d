import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// The dashboard as the browser shows it, read through WebDriver: every KPI, breakdown row, live row
/// and log row with the raw value the page was given (`data-value`), and the comparisons with the
/// API's own documents the browser tests make.
struct DashboardPage {
    let browser: WebDriver

    /// Screenshots go here (the test output); the tests name each file after its page and width.
    static var outputDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["VDM_TEST_OUTPUT"], !path.isEmpty {
            return URL(fileURLWithPath: path).appendingPathComponent("dashboard")
        }
        return Repository.url(".build/test-output/dashboard")
    }

    static let pages = ["overview", "live", "breakdown", "logs", "tokens"]

    static let readScript = """
        const fields = (tr) => { const r = {}; for (const td of tr.querySelectorAll('td[data-field]')) r[td.dataset.field] = td.getAttribute('data-value'); return r; };
        const table = (id) => { const out = {}; for (const tr of document.querySelectorAll('#' + id + ' tr')) out[tr.dataset.row] = fields(tr); return out; };
        const order = (id) => [...document.querySelectorAll('#' + id + ' tr')].map((tr) => tr.dataset.row);
        const kpi = {}; for (const c of document.querySelectorAll('[data-kpi]')) kpi[c.dataset.kpi] = c.getAttribute('data-value');
        const bars = [...document.querySelectorAll('#latency-chart rect[data-le]')].map((r) => [r.getAttribute('data-le'), r.getAttribute('data-value')]);
        const commands = {}; for (const tr of document.querySelectorAll('#errors-body tr, #traces-body tr')) commands[tr.dataset.row] = [...tr.querySelectorAll('code.command')].map((c) => c.textContent);
        return JSON.stringify({ kpi, providers: table('breakdown-providers-body'), models: table('breakdown-models-body'),
          live: table('live-body'), liveOrder: order('live-body'), errors: order('errors-body'), traces: order('traces-body'), commands,
          latencySeries: document.getElementById('latency-series').value, bars,
          state: document.getElementById('stream-state').getAttribute('data-state'), href: location.href });
        """

    func read() async throws -> [String: Any] { try await browser.json(Self.readScript) }

    func state() async throws -> String? {
        try await browser.execute("return document.getElementById('stream-state').getAttribute('data-state');") as? String
    }

    /// Waits until the stream indicator shows `state`; nil when it did not within `timeout`.
    func waitForState(_ state: String, timeout: Duration = .seconds(15)) async throws -> Duration? {
        try await browser.wait(for: "document.getElementById('stream-state').getAttribute('data-state') === '\(state)'", timeout: timeout)
    }

    func screenshots(_ label: String) async throws -> [URL] {
        var written: [URL] = []
        for (width, height, name) in [(1280, 800, "1280x800"), (390, 844, "narrow-390")] {
            try await browser.setWindow(width: width, height: height)
            for page in Self.pages {
                _ = try await browser.execute("location.hash = '#\(page)'; window.scrollTo(0, 0); return true;")
                _ = try await browser.wait(for: "!document.getElementById('page-\(page)').hidden", timeout: .seconds(5))
                let url = Self.outputDirectory.appendingPathComponent("\(label)-\(page)-\(name).png")
                try await browser.screenshot(to: url)
                written.append(url)
            }
        }
        try await browser.setWindow(width: 1280, height: 800)
        _ = try await browser.execute("location.hash = '#overview'; return true;")
        return written
    }
}

/// What the page must equal: the API's documents, fetched by the test over HTTP.
struct DashboardOracle {
    let base: String
    let key: String?

    func get(_ path: String) async throws -> String {
        var request = HTTPClientRequest(url: base + path)
        if let key { request.headers.add(name: "x-api-key", value: key) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard response.status == .ok else { throw TestFailure("GET \(path): \(response.status) \(body)") }
        return body
    }

    func totals() async throws -> [String: Any] { try JSONTestValue.object(try await get("/metrics/running-totals?format=json")) }

    /// Every difference between the page's KPIs and breakdown rows and the running totals (empty: equal).
    static func differences(page: [String: Any], totals: [String: Any]) -> [String] {
        var out: [String] = []
        func same(_ shown: Any?, _ expected: Any?) -> Bool {
            let text = shown as? String ?? ""
            switch expected {
            case nil, is NSNull: return text.isEmpty
            case let string as String: return text == string
            case let number as NSNumber: return Double(text) == number.doubleValue
            default: return false
            }
        }
        let summary = totals["summary"] as? [String: Any] ?? [:]
        let kpi = page["kpi"] as? [String: Any] ?? [:]
        for key in ["total_requests", "total_errors", "active_requests", "total_input_tokens", "total_output_tokens", "total_cache_read_tokens",
                    "total_cache_creation_tokens", "average_duration_ms", "total_tool_calls"] where !same(kpi[key], summary[key]) {
            out.append("KPI \(key): page \(kpi[key] ?? "none"), API \(summary[key] ?? "none")")
        }
        for mode in ["streaming", "non_streaming"] {
            let expected = (summary[mode] as? [String: Any])?["average_duration_ms"]
            if !same(kpi["\(mode)_average_duration_ms"], expected) { out.append("KPI \(mode) average: page \(kpi["\(mode)_average_duration_ms"] ?? "none"), API \(expected ?? "none")") }
        }
        let last = (summary["last_accessed"] as? [String: Any])?["top"]
        if !same(kpi["last_accessed"], last) { out.append("KPI last_accessed: page \(kpi["last_accessed"] ?? "none"), API \(last ?? "none")") }
        let requests = (summary["total_requests"] as? NSNumber)?.intValue ?? 0
        let errors = (summary["total_errors"] as? NSNumber)?.intValue ?? 0
        let rate = requests == 0 ? "0.00%" : String(format: "%.2f%%", 100 * Double(errors) / Double(requests))
        if kpi["error_rate"] as? String != rate { out.append("KPI error_rate: page \(kpi["error_rate"] ?? "none"), expected \(rate)") }

        let providers = totals["providers"] as? [String: Any] ?? [:]
        let shownProviders = page["providers"] as? [String: Any] ?? [:]
        let shownModels = page["models"] as? [String: Any] ?? [:]
        if Set(shownProviders.keys) != Set(providers.keys) { out.append("provider rows \(shownProviders.keys.sorted()) != \(providers.keys.sorted())") }
        var modelKeys: Set<String> = []
        for (name, value) in providers {
            guard let provider = value as? [String: Any], let rollup = provider["rollup"] as? [String: Any] else { continue }
            out += rowDifferences("provider \(name)", shownProviders[name] as? [String: Any] ?? [:], split: rollup, last: provider["last_accessed"])
            for (model, counters) in provider["models"] as? [String: Any] ?? [:] {
                modelKeys.insert(name + ":" + model)
                let split = counters as? [String: Any] ?? [:]
                out += rowDifferences("model \(name):\(model)", shownModels[name + ":" + model] as? [String: Any] ?? [:], split: split, last: split["last_accessed"])
            }
        }
        if Set(shownModels.keys) != modelKeys { out.append("model rows \(shownModels.keys.sorted()) != \(modelKeys.sorted())") }
        return out

        func rowDifferences(_ label: String, _ row: [String: Any], split: [String: Any], last: Any?) -> [String] {
            var out: [String] = []
            let total = split["total"] as? [String: Any] ?? [:]
            for field in ["requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "tool_calls",
                          "average_duration_ms", "total_duration_ms"] where !same(row[field], total[field]) {
                out.append("\(label) \(field): page \(row[field] ?? "none"), API \(total[field] ?? "none")")
            }
            for mode in ["streaming", "non_streaming"] {
                let expected = (split[mode] as? [String: Any])?["average_duration_ms"]
                if !same(row["\(mode)_average_duration_ms"], expected) { out.append("\(label) \(mode) average: page \(row["\(mode)_average_duration_ms"] ?? "none"), API \(expected ?? "none")") }
            }
            if !same(row["last_accessed"], last) { out.append("\(label) last_accessed: page \(row["last_accessed"] ?? "none"), API \(last ?? "none")") }
            return out
        }
    }
}
