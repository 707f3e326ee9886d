import Foundation
import Synchronization

/// A client of the SSE stream: reads in the background, records every event and comment with the
/// instant it arrived, and disconnects when `close()` cancels the reader.
final class SSERecorder: Sendable {
    struct Item: Sendable {
        var event: String?
        var id: String?
        var retry: String?
        var data: String
        var comment: String?
        var at: ContinuousClock.Instant
    }

    private let items = Mutex<[Item]>([])
    private let ended = Mutex<Bool>(false)
    private let status = Mutex<Int?>(nil)
    private let headers = Mutex<[String: String]>([:])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    static func connect(_ url: String, headers: [(String, String)] = []) -> SSERecorder {
        let recorder = SSERecorder()
        let task = Task {
            do {
                let response = try await TestHTTP.open(url, headers: headers, timeout: .seconds(600))
                recorder.headers.withLock { $0 = response.fields }
                recorder.status.withLock { $0 = response.status }
                var pending: [UInt8] = []
                for try await chunk in response.body {
                    pending += chunk.readableBytesView
                    recorder.parse(&pending)
                }
            } catch {}
            recorder.ended.withLock { $0 = true }
        }
        recorder.reader.withLock { $0 = task }
        return recorder
    }

    var all: [Item] { items.withLock { $0 } }
    var updates: [Item] { all.filter { $0.event == "update" } }
    var hasEnded: Bool { ended.withLock { $0 } }
    var statusCode: Int? { status.withLock { $0 } }
    var responseHeaders: [String: String] { headers.withLock { $0 } }

    func close() {
        reader.withLock { $0?.cancel() }
    }

    /// Polls (test side) until `predicate` holds for some received item; returns it.
    func first(timeout: Duration = .seconds(5), where predicate: (Item) -> Bool) async -> Item? {
        try? await Deadline.value("an SSE item that matches", timeout: timeout, poll: .milliseconds(2)) { all.first(where: predicate) }
    }

    func waitForEnd(timeout: Duration = .seconds(5)) async -> Bool {
        (try? await Deadline.holds(within: timeout, poll: .milliseconds(2)) { hasEnded }) ?? hasEnded
    }

    /// Splits complete blocks (`\n\n`) off `pending` and records them.
    private func parse(_ pending: inout [UInt8]) {
        let now = ContinuousClock.now
        while let end = Self.blockEnd(pending) {
            let block = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 2)
            var item = Item(data: "", at: now)
            var dataLines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") {
                    item.comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
                } else if let value = Self.field("event", line) {
                    item.event = value
                } else if let value = Self.field("id", line) {
                    item.id = value
                } else if let value = Self.field("retry", line) {
                    item.retry = value
                } else if let value = Self.field("data", line) {
                    dataLines.append(value)
                }
            }
            item.data = dataLines.joined(separator: "\n")
            items.withLock { $0.append(item) }
        }
    }

    private static func blockEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { return i }
        return nil
    }

    private static func field(_ name: String, _ line: Substring) -> String? {
        guard line.hasPrefix(name + ":") else { return nil }
        var value = line.dropFirst(name.count + 1)
        if value.first == " " { value = value.dropFirst() }
        return String(value)
    }
}
