/// The mock upstream's bounds: its waits, what it records, the largest body it accepts.
package struct MockUpstreamConfiguration: Sendable {
    /// Longest time `mock:hang` holds a request when the client does not go away first.
    package var hangLimit: Duration = .seconds(120)
    /// Longest delay `mock:latency` / `mock:slowstream` may ask for (per wait).
    package var delayLimit: Duration = .seconds(120)
    /// Number of requests `/mock/requests` keeps.
    package var recordLimit = 256
    /// Bodies longer than this are stored truncated in `/mock/requests` (the last body is kept whole).
    package var recordBodyLimit = 1 << 20
    /// Largest request body accepted (413 above).
    package var maxBodySize = 64 << 20
    /// Send a stream without `mock:slowstream`/`mock:cut` as one buffer with `content-length` instead
    /// of chunked transfer encoding. Saves ~60 µs CPU per streamed reply (one write instead of three)
    /// for load benchmarks, but unlike real providers, whose SSE replies are always chunked.
    package var bufferedStreams = false

    package init(
        hangLimit: Duration = .seconds(120),
        delayLimit: Duration = .seconds(120),
        recordLimit: Int = 256,
        recordBodyLimit: Int = 1 << 20,
        maxBodySize: Int = 64 << 20,
        bufferedStreams: Bool = false
    ) {
        self.hangLimit = hangLimit
        self.delayLimit = delayLimit
        self.recordLimit = recordLimit
        self.recordBodyLimit = recordBodyLimit
        self.maxBodySize = maxBodySize
        self.bufferedStreams = bufferedStreams
    }
}
