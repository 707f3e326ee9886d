import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// The client side of a streamed response: writes bytes with every configured secret value replaced
/// (also when split across chunks: `StreamRedactor`), counts them, notes the time to the first
/// content byte, and throttles live updates of the in-flight view.
struct StreamRelay {
    let call: UpstreamCall
    let upstreamStarted: ContinuousClock.Instant
    private(set) var bytesSent = 0
    private var sawContent = false
    private var lastPublish = ContinuousClock.now
    private var redactor: StreamRedactor

    init(call: UpstreamCall, upstreamStarted: ContinuousClock.Instant) {
        self.call = call
        self.upstreamStarted = upstreamStarted
        self.redactor = StreamRedactor(redactor: call.redactor)
    }

    /// Writes to the client; a failed write means the client went away (`ClientGone`).
    mutating func send(_ bytes: [UInt8], to writer: inout any ResponseBodyWriter, content: Bool) async throws(ClientGone) {
        try await write(redactor.feed(bytes), to: &writer, content: content)
    }

    private mutating func write(_ bytes: [UInt8], to writer: inout any ResponseBodyWriter, content: Bool) async throws(ClientGone) {
        guard !bytes.isEmpty else { return }
        if content { markContentSeen() }
        do {
            try await writer.write(ByteBuffer(bytes: bytes))
        } catch {
            throw ClientGone()
        }
        bytesSent += bytes.count
    }

    /// Notes the time to the first content once: content the upstream sent, also when it is held back
    /// before it is written (tool calls assembled until the end of the turn).
    mutating func markContentSeen() {
        guard !sawContent else { return }
        sawContent = true
        let ttft = (ContinuousClock.now - call.life.receivedAt).nanoseconds
        call.life.update { $0.firstTokenNanos = ttft }
    }

    mutating func finish(_ writer: inout any ResponseBodyWriter) async throws(ClientGone) {
        try await write(redactor.finish(), to: &writer, content: false)
        do {
            try await writer.finish(nil)
        } catch {
            throw ClientGone()
        }
    }

    /// At most ten live updates a second per request.
    mutating func publishIfDue() async {
        let now = ContinuousClock.now
        guard now - lastPublish >= .milliseconds(100) else { return }
        lastPublish = now
        await call.life.publishLive()
    }
}

/// The client closed the connection while we were writing to it.
struct ClientGone: Error {}
