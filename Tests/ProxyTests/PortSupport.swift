import NIOCore
import NIOPosix

/// A loopback port that was free a moment ago and is closed now (nothing listens on it).
enum ServerBootstrapPort {
    static func bind() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}
