import AsyncHTTPClient
import Foundation
import NIOCore
import VDMProxy

/// `vdm bench proxy`: latency the proxy adds, measured against calling the mock upstream directly,
/// in the same run. The mock and the proxy are separate child processes (as in production); the
/// proxy logs fully (JSON file + console). Load is open-loop at a fixed rate (latency counted from
/// each request's scheduled time, so a stall is not hidden), then closed-loop at saturation.
/// `stream`: every request asks for an SSE reply, the floor relays it chunk by chunk, and the report
/// adds time to first byte and the cost per upstream event.
package enum ProxyBench {
    struct Phase {
        var name: String
        var latenciesMicros: [Int64]
        /// Time to the reply's first body bytes, from the same start as `latenciesMicros`.
        var firstByteMicros: [Int64] = []
        var errors: Int
        var seconds: Double
        /// CPU the measured server spent in this phase (closed-loop phases), µs.
        var serverCPUMicros: Double?

        func percentile(_ p: Double) -> Double { Self.percentile(latenciesMicros, p) }
        func firstBytePercentile(_ p: Double) -> Double { Self.percentile(firstByteMicros, p) }

        static func percentile(_ micros: [Int64], _ p: Double) -> Double {
            guard !micros.isEmpty else { return .nan }
            let sorted = micros.sorted()
            let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
            return Double(sorted[index]) / 1000
        }

        var cpuMicrosPerRequest: Double? {
            serverCPUMicros.map { latenciesMicros.isEmpty ? .nan : $0 / Double(latenciesMicros.count) }
        }

        var throughput: Double { Double(latenciesMicros.count) / seconds }
    }

    package static func run(rate: Int, seconds: Int, concurrency: Int, rounds: Int, logDirectory: String, stream: Bool = false) async throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let mockPort = try await ServerPorts.free()
        let proxyPort = try await ServerPorts.free()
        let floorPort = try await ServerPorts.free()
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let mock = try ChildProcess.start(exe, ["mock-upstream", "--port", String(mockPort)], env: [:], output: "/dev/null")
        defer { mock.stop() }
        let proxy = try ChildProcess.start(exe, ["serve", "--port", String(proxyPort), "--log-json", logDirectory + "/bench-proxy.jsonl"],
                                           env: ["OPENAI_API_KEY": "sk-bench-0123456789abcdefghijklmnop", "OPENAI_BASE_URL": "http://127.0.0.1:\(mockPort)/v1"],
                                           output: logDirectory + "/bench-proxy.log")
        defer { proxy.stop() }
        let floor = try ChildProcess.start(exe, ["bench", "forwarder", "--port", String(floorPort), "--upstream", "http://127.0.0.1:\(mockPort)/v1/chat/completions"],
                                           env: [:], output: logDirectory + "/bench-forwarder.log")
        defer { floor.stop() }
        try await waitUntilUp("http://127.0.0.1:\(mockPort)/mock/stats")
        try await waitUntilUp("http://127.0.0.1:\(proxyPort)/health")

        let streamField = stream ? #","stream":true"# : ""
        let direct = Target(url: "http://127.0.0.1:\(mockPort)/v1/chat/completions", body: Array(#"{"model":"gpt-4o","max_tokens":64\#(streamField),"messages":[{"role":"user","content":"Hello, benchmark"}]}"#.utf8), auth: "Bearer sk-bench")
        let floorTarget = Target(url: "http://127.0.0.1:\(floorPort)/forward" + (stream ? "-stream" : ""), body: direct.body, auth: nil)
        let proxied = Target(url: "http://127.0.0.1:\(proxyPort)/v1/messages", body: Array(#"{"model":"openai:gpt-4o","max_tokens":64\#(streamField),"messages":[{"role":"user","content":"Hello, benchmark"}]}"#.utf8), auth: nil)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)))
        do {
            let events = stream ? try await sseEvents(client, direct) : 0
            let phases = try await measure(client, direct: direct, floor: floorTarget, proxied: proxied, rate: rate, seconds: seconds, concurrency: concurrency, rounds: rounds,
                                           floorPID: floor.process.processIdentifier, proxyPID: proxy.process.processIdentifier)
            try await client.shutdown()
            return report(phases, rate: rate, streamEvents: stream ? events : nil)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func measure(_ client: HTTPClient, direct: Target, floor: Target, proxied: Target, rate: Int, seconds: Int, concurrency: Int,
                        rounds: Int, floorPID: Int32, proxyPID: Int32) async throws -> [Phase] {
        // Warm every path (connection pools, caches).
        for target in [direct, floor, proxied] { _ = try await openLoop(client, target, rate: min(rate, 500), seconds: 1) }
        var phases: [Phase] = []
        // Alternate, so slow drifts of a shared machine hit every side alike.
        for round in 1...max(1, rounds) {
            phases.append(try await openLoop(client, direct, rate: rate, seconds: seconds, name: "direct @\(rate)/s #\(round)"))
            phases.append(try await openLoop(client, floor, rate: rate, seconds: seconds, name: "floor  @\(rate)/s #\(round)"))
            phases.append(try await openLoop(client, proxied, rate: rate, seconds: seconds, name: "proxy  @\(rate)/s #\(round)"))
        }
        phases.append(try await closedLoop(client, direct, concurrency: concurrency, seconds: seconds, name: "direct saturation c=\(concurrency)"))
        phases.append(try await closedLoop(client, floor, concurrency: concurrency, seconds: seconds, name: "floor  saturation c=\(concurrency)", serverPID: floorPID))
        phases.append(try await closedLoop(client, proxied, concurrency: concurrency, seconds: seconds, name: "proxy  saturation c=\(concurrency)", serverPID: proxyPID))
        return phases
    }

    struct Target: Sendable {
        var url: String
        var body: [UInt8]
        var auth: String?

        func request() -> HTTPClientRequest {
            var r = HTTPClientRequest(url: url)
            r.method = .POST
            r.headers.add(name: "content-type", value: "application/json")
            if let auth { r.headers.add(name: "authorization", value: auth) }
            r.body = .bytes(ByteBuffer(bytes: body))
            return r
        }
    }

    /// Sends one request and reads its reply to the end; the time of its first body bytes, nil if it failed.
    static func send(_ client: HTTPClient, _ target: Target) async -> ContinuousClock.Instant? {
        do {
            let response = try await client.execute(target.request(), timeout: .seconds(30))
            var first: ContinuousClock.Instant?
            var bytes = 0
            for try await chunk in response.body {
                if first == nil { first = .now }
                bytes += chunk.readableBytes
                if bytes > 1 << 20 { return nil }
            }
            return response.status == .ok ? (first ?? .now) : nil
        } catch {
            return nil
        }
    }

    /// `data:` lines in one streamed reply of the target (the upstream's events per request).
    static func sseEvents(_ client: HTTPClient, _ target: Target) async throws -> Int {
        let response = try await client.execute(target.request(), timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return body.split(separator: "\n").filter { $0.hasPrefix("data:") }.count
    }

    /// User + system CPU of a process so far, µs (`/proc/PID/stat` fields 14 and 15, in clock ticks).
    static func processCPUMicros(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) * 1e6 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func openLoop(_ client: HTTPClient, _ target: Target, rate: Int, seconds: Int, name: String = "warm-up") async throws -> Phase {
        let total = rate * seconds
        let clock = ContinuousClock()
        let start = clock.now
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(max(1, rate)))
        var latencies: [Int64] = []
        var firstBytes: [Int64] = []
        latencies.reserveCapacity(total)
        firstBytes.reserveCapacity(total)
        var errors = 0
        await withTaskGroup(of: (Int64, Int64)?.self) { group in
            for i in 0..<total {
                let scheduled = start + interval * i
                try? await clock.sleep(until: scheduled)
                group.addTask {
                    guard let first = await send(client, target) else { return nil }
                    return ((clock.now - scheduled).nanoseconds / 1000, (first - scheduled).nanoseconds / 1000)
                }
            }
            for await sample in group {
                if let (micros, firstMicros) = sample { latencies.append(micros); firstBytes.append(firstMicros) } else { errors += 1 }
            }
        }
        let elapsed = clock.now - start
        return Phase(name: name, latenciesMicros: latencies, firstByteMicros: firstBytes, errors: errors, seconds: Double(elapsed.nanoseconds) / 1e9)
    }

    static func closedLoop(_ client: HTTPClient, _ target: Target, concurrency: Int, seconds: Int, name: String, serverPID: Int32? = nil) async throws -> Phase {
        let clock = ContinuousClock()
        let cpuBefore = serverPID.flatMap(processCPUMicros)
        let start = clock.now
        let end = start + .seconds(seconds)
        let results = await withTaskGroup(of: ([Int64], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Int64] = []
                    var errors = 0
                    while clock.now < end {
                        let t = clock.now
                        if await send(client, target) != nil { latencies.append((clock.now - t).nanoseconds / 1000) } else { errors += 1 }
                    }
                    return (latencies, errors)
                }
            }
            var all: [Int64] = []
            var errors = 0
            for await (l, e) in group { all += l; errors += e }
            return (all, errors)
        }
        let elapsed = Double((clock.now - start).nanoseconds) / 1e9
        var cpu: Double?
        if let before = cpuBefore, let pid = serverPID, let after = processCPUMicros(pid) { cpu = after - before }
        return Phase(name: name, latenciesMicros: results.0, errors: results.1, seconds: elapsed, serverCPUMicros: cpu)
    }

    static func report(_ phases: [Phase], rate: Int, streamEvents: Int?) -> String {
        var out = "vdm bench proxy — mock and proxy as separate processes, proxy logging JSON file + console (\(BenchClock.buildConfiguration))"
        out += streamEvents.map { ", streaming (\($0) upstream events per reply)\n" } ?? "\n"
        for p in phases {
            out += String(format: "  %@  n=%6d  err=%d  p50=%7.3f ms  p99=%7.3f ms  %8.0f req/s", p.name.padding(toLength: 28, withPad: " ", startingAt: 0), p.latenciesMicros.count, p.errors, p.percentile(0.5), p.percentile(0.99), p.throughput)
            if streamEvents != nil, !p.firstByteMicros.isEmpty {
                out += String(format: "  first byte p50=%7.3f ms  p99=%7.3f ms", p.firstBytePercentile(0.5), p.firstBytePercentile(0.99))
            }
            if let cpu = p.cpuMicrosPerRequest { out += String(format: "  server CPU %.0f µs/request", cpu) }
            out += "\n"
        }
        let direct = phases.filter { $0.name.hasPrefix("direct @") }
        let floor = phases.filter { $0.name.hasPrefix("floor  @") }
        let proxied = phases.filter { $0.name.hasPrefix("proxy  @") }
        func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : BenchResult.median(xs) }
        func added(_ over: [Phase], _ base: [Phase], _ p: Double) -> Double { median(zip(over, base).map { $0.percentile(p) - $1.percentile(p) }) }
        out += String(format: "  added by the proxy at %d req/s: p50 %+.3f ms, p99 %+.3f ms (median over rounds)\n", rate,
                      added(proxied, direct, 0.5), added(proxied, direct, 0.99))
        out += String(format: "  added by the bare stack (floor) at %d req/s: p50 %+.3f ms, p99 %+.3f ms; vdm over the floor: p50 %+.3f ms, p99 %+.3f ms\n", rate,
                      added(floor, direct, 0.5), added(floor, direct, 0.99), added(proxied, floor, 0.5), added(proxied, floor, 0.99))
        if let events = streamEvents {
            func addedFirstByte(_ p: Double) -> Double { median(zip(proxied, floor).map { $0.firstBytePercentile(p) - $1.firstBytePercentile(p) }) }
            // What the proxy adds after its first byte, spread over the upstream's events.
            let perEvent = (added(proxied, floor, 0.5) - addedFirstByte(0.5)) * 1000 / Double(max(1, events))
            out += String(format: "  streaming, vdm over the floor at %d req/s: first byte p50 %+.3f ms, p99 %+.3f ms; per upstream event (p50, after the first byte) %+.1f µs\n",
                          rate, addedFirstByte(0.5), addedFirstByte(0.99), perEvent)
        }
        let saturation = ["direct", "floor ", "proxy "].compactMap { name in phases.first { $0.name.hasPrefix(name + " saturation") } }
        if saturation.count == 3 {
            out += String(format: "  saturation: direct %.0f req/s, floor %.0f req/s, proxy %.0f req/s; proxy added p50 %+.3f ms, p99 %+.3f ms\n",
                          saturation[0].throughput, saturation[1].throughput, saturation[2].throughput,
                          saturation[2].percentile(0.5) - saturation[0].percentile(0.5), saturation[2].percentile(0.99) - saturation[0].percentile(0.99))
            if let floorCPU = saturation[1].cpuMicrosPerRequest, let proxyCPU = saturation[2].cpuMicrosPerRequest {
                out += String(format: "  server CPU per request at saturation: floor %.0f µs, vdm %.0f µs (vdm over the floor %+.0f µs)\n", floorCPU, proxyCPU, proxyCPU - floorCPU)
            }
        }
        return out
    }

    package static func waitUntilUp(_ url: String) async throws {
        for _ in 0..<200 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError.notUp(url)
    }

    enum BenchError: Error { case notUp(String) }
}
