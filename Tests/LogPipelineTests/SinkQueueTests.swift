import Foundation
import Glibc
import Logging
import LogPipeline
import Synchronization
import Testing

/// The one queue policy on the real file sink, over a real pipe and real files: a stuck reader costs
/// a writer one bounded wait, drops are counted, said as a WARNING on another output and named as
/// sequence gaps by `vdm summaries`; `close()` releases the file; `reopen()` moves to a new file with
/// no record lost or written twice.
@Suite struct SinkQueueTests {
    /// A FIFO with its read end open (so the sink's open(2) does not block) and not read until asked.
    final class StuckPipe: @unchecked Sendable {
        // @unchecked: `received` is written by the drain thread and read after `done` is signalled.
        let path: String
        let readFD: Int32
        private(set) var received: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(in dir: TempDir) throws {
            path = dir.path("stuck.fifo")
            guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            readFD = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard readFD >= 0 else { throw CocoaError(.fileReadUnknown) }
            _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) & ~O_NONBLOCK)
        }

        /// Starts reading everything until the writer closes its end.
        func drain() {
            Thread.detachNewThread { [self] in
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    received.append(contentsOf: chunk[0..<n])
                }
                close(readFD)
                done.signal()
            }
        }

        func waitForEOF(timeout: Double = 30) -> Bool { done.wait(timeout: .now() + timeout) == .success }
        var lines: [String] { String(decoding: received, as: UTF8.self).split(separator: "\n").map(String.init) }
    }

    static let maxWait: Duration = .milliseconds(50)

    @Test func aStuckReaderCostsOneBoundedWaitAndEveryDropIsCountedWarnedAndAGap() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let pipe = try StuckPipe(in: dir)
        let policy = SinkQueuePolicy(maxWait: Self.maxWait, bufferBytes: 4096)
        let json = try JSONLinesSink(destination: .file(pipe.path), policy: policy)
        let other = MemorySink()
        let router = LogRouter(sink: FanOutSink([json, other]), level: .info, instanceID: "stuck-pipe")
        let logger = Logger(label: "vdm.test") { router.makeHandler(label: $0) }

        // Nobody reads: the pipe (64 KiB) and the buffer (4 KiB) fill, then records are dropped.
        var slowest: Duration = .zero
        let stuckPhase = ContinuousClock.now
        var written = 0
        while json.dropCounters[0].dropped < 200 {
            let started = ContinuousClock.now
            logger.info("record \(written) with some padding to fill the pipe sooner: \(String(repeating: "x", count: 200))")
            slowest = max(slowest, ContinuousClock.now - started)
            written += 1
            if ContinuousClock.now - stuckPhase >= .seconds(30) {
                Issue.record("no drop after \(written) records in 30 s")
                return
            }
        }
        let stuckTime = ContinuousClock.now - stuckPhase
        // One record waits the bound (plus scheduling margin); the rest of the burst does not wait.
        #expect(slowest < Self.maxWait + .seconds(1), "slowest write \(slowest)")
        #expect(stuckTime < .seconds(20), "\(written) writes took \(stuckTime)")
        let warnings = other.all.filter { $0.level == .warning && $0.logger == LogRouter.dropLoggerLabel }
        #expect(warnings.contains { $0.message.contains("Log output json:\(pipe.path) is full") })

        // The reader comes back: the sink accepts again, says so with the count, and the gaps show.
        pipe.drain()
        let resumed = ContinuousClock.now
        while !other.all.contains(where: { $0.message.contains("accepts records again") }) && ContinuousClock.now - resumed < .seconds(30) {
            logger.info("after the reader came back")
            Thread.sleep(forTimeInterval: 0.001)
        }
        logger.info("last record")
        json.close()
        #expect(pipe.waitForEOF(), "the sink's close() did not close its end of the pipe")

        let dropped = json.dropCounters[0].dropped
        let result = SummariesVerifier.verify(lines: pipe.lines, name: "pipe")
        let instance = try #require(result.instances.first)
        #expect(result.instances.count == 1)
        #expect(instance.lastSequence == router.recordsEmitted, "the last record reached the pipe")
        #expect(instance.missingRecords == dropped, "every dropped record is a gap, and every gap a drop")
        #expect(UInt64(instance.records) + dropped == router.recordsEmitted)
        #expect(instance.duplicateRecords == 0)
        let resumedNote = other.all.last { $0.message.contains("accepts records again") }
        #expect(resumedNote?.message.hasSuffix("Dropped in total: \(dropped)") == true, "\(resumedNote?.message ?? "no note")")
        #expect(other.all.count == Int(router.recordsEmitted), "the other output lost nothing")
    }

    @Test func closeIsIdempotentReleasesTheFileAndCountsLaterRecords() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("closed.json")
        let sink = try JSONLinesSink(destination: .file(path))
        let router = LogRouter(sink: sink, level: .info, instanceID: "closing")
        let logger = Logger(label: "vdm.test") { router.makeHandler(label: $0) }
        for i in 0..<100 { logger.info("r\(i)") }
        #expect(Self.openDescriptors(to: path) == 1)
        sink.close()
        sink.close()
        #expect(Self.openDescriptors(to: path) == 0)
        #expect(try lines(of: path).count == 100)
        logger.info("after close")
        // The record, and the drop WARNING the router logs about it (which this sink drops as well).
        #expect(sink.dropCounters[0].dropped == 2)
        #expect(try lines(of: path).count == 100)
    }

    /// At shutdown the router closes every output at once: a record logged meanwhile (an event loop's
    /// late line) reaches none, is counted as after-close, and is no "output is full" drop on those
    /// closed first (a real `vdm serve` once wrote that WARNING into its JSON file at a normal exit).
    @Test func aRecordAfterTheRouterClosesReachesNoOutputAndIsNoQueueDrop() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("closing.json")
        let first = MemorySink()
        let json = try JSONLinesSink(destination: .file(path))
        let router = LogRouter(sink: FanOutSink([first, json]), level: .info, instanceID: "router-closing")
        let logger = Logger(label: "vdm.test") { router.makeHandler(label: $0) }
        for i in 0..<10 { logger.info("r\(i)") }
        router.close()
        logger.info("after close")
        logger.warning("after close too")
        #expect(router.recordsAfterClose == 2)
        #expect(router.droppedRecords.map(\.dropped) == [0])
        #expect(first.all.count == 10)
        #expect(try lines(of: path).count == 10)
        #expect(router.recordsEmitted == 10)
    }

    @Test func reopenMovesToTheNewFileWithNothingLostOrTwice() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SinkQueueTests.reopen seed: \(seed)")
        var rng = SeededRandom(seed: seed)
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("rotating.json")
        let sink = try JSONLinesSink(destination: .file(path))
        let router = LogRouter(sink: sink, level: .info, instanceID: "rotating")
        let total = 4000
        let writers = 4
        let writing = Task.detached {
            await withTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        let logger = Logger(label: "vdm.test") { router.makeHandler(label: $0) }
                        for i in 0..<(total / writers) { logger.info("writer \(w) record \(i)") }
                    }
                }
            }
        }
        var rotated: [String] = []
        for k in 0..<5 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...20, using: &rng)))
            let name = path + ".\(k)"
            guard rename(path, name) == 0 else { throw CocoaError(.fileWriteUnknown) }
            rotated.append(name)
            #expect(sink.reopen() == [SinkReopen(sink: "json:" + path, outcome: .reopened)])
        }
        await writing.value
        sink.close()
        var all: [UInt64] = []
        for file in rotated + [path] {
            let sequences = try lines(of: file).map(Self.sequence)
            // Not sorted: four writers take their sequence numbers and enqueue in either order (a
            // preempted writer's record can land well after later ones, even in the next file). What
            // the switch must keep is that each record lands in exactly one file, once.
            #expect(Set(sequences).count == sequences.count, "\(file) holds a record twice")
            all += sequences
        }
        #expect(all.sorted() == Array(1...UInt64(total)))
    }

    @Test func thePolicyComesFromTheEnvironmentWithinItsBounds() throws {
        #expect(try SinkQueuePolicy.fromEnvironment([:]) == SinkQueuePolicy())
        #expect(SinkQueuePolicy().maxWait == .milliseconds(100))
        #expect(SinkQueuePolicy().bufferBytes == 4 << 20)
        let set = try SinkQueuePolicy.fromEnvironment(["VDM_LOG_QUEUE_WAIT_MS": "0", "VDM_LOG_QUEUE_BYTES": "4096"])
        #expect(set.maxWait == .zero)
        #expect(set.bufferBytes == 4096)
        for (variable, bad) in [("VDM_LOG_QUEUE_WAIT_MS", "-1"), ("VDM_LOG_QUEUE_WAIT_MS", "10001"), ("VDM_LOG_QUEUE_WAIT_MS", "1.5"),
                                ("VDM_LOG_QUEUE_BYTES", "4095"), ("VDM_LOG_QUEUE_BYTES", "1073741825"), ("VDM_LOG_QUEUE_BYTES", "lots")] {
            #expect(throws: SinkQueuePolicy.SettingError.self, "\(variable)=\(bad)") { try SinkQueuePolicy.fromEnvironment([variable: bad]) }
            do {
                _ = try SinkQueuePolicy.fromEnvironment([variable: bad])
            } catch {
                #expect(error.variable == variable)
                #expect(error.problem.contains(bad))
            }
        }
    }

    /// `event.sequence` of one ECS line.
    static func sequence(_ line: String) -> UInt64 {
        guard let range = line.range(of: #""event.sequence":"#) else { return 0 }
        return UInt64(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// Descriptors of this process open on `path` (from /proc/self/fd).
    static func openDescriptors(to path: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path }.count
    }
}
