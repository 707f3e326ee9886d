import Foundation
import NIOCore
import NIOPosix

/// A TCP client that writes HTTP by hand, for what well-behaved clients never do: leave while the
/// request is in flight, send a broken chunked body, send a request line no parser accepts.
struct RawHTTPConnection: Sendable {
    let inbound: NIOAsyncChannelInboundStream<ByteBuffer>
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Connects to 127.0.0.1:`port`, runs `body`, then closes the connection.
    static func with<T: Sendable>(port: Int, _ body: (RawHTTPConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawHTTPConnection(inbound: inbound, outbound: outbound))
        }
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Everything the server sends until it closes the connection; throws after `timeout`.
    func readToEnd(timeout: Duration = .seconds(10)) async throws -> String {
        let inbound = self.inbound
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await buffer in inbound { bytes += buffer.readableBytesView }
                return String(decoding: bytes, as: UTF8.self)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let text = first else { throw RawHTTPTimeout() }
            return text
        }
    }
}

struct RawHTTPTimeout: Error {}

/// A raw HTTP/1.1 response: status code, lower-cased headers, body.
struct RawHTTPResponse {
    var status: Int
    var headers: [String: String]
    var body: String

    init(_ text: String) throws {
        guard let split = text.range(of: "\r\n\r\n") else { throw RawHTTPTimeout() }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = String(text[split.upperBound...])
    }
}
