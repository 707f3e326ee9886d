import CZlib

/// Inflates a gzip stream (several concatenated members too, as `cat a.gz b.gz` or logrotate with
/// `delaycompress` produce) from another source, in process through zlib: no subprocess, bounded
/// memory (one input chunk plus zlib's 32 KiB window).
final class GzipSource: ByteSource {
    static let magic: [UInt8] = [0x1F, 0x8B]

    private let upstream: any ByteSource
    private let path: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamDone = false
    private var finished = false
    private var initialized = false
    /// Raised on the call after the one that returned the last decoded bytes, so none is lost.
    private var pendingError: InputError?

    init(upstream: any ByteSource, path: String, chunk: Int = 256 << 10) throws(InputError) {
        self.upstream = upstream
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: chunk, alignment: 16)
        // 15 + 32: the largest window, with automatic gzip/zlib header detection.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw InputError(path: path, reason: "zlib initialisation failed (\(rc))") }
        initialized = true
    }

    deinit {
        if initialized { _ = inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        guard let out = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !upstreamDone {
                let n = try upstream.read(into: input)
                if n == 0 {
                    upstreamDone = true
                } else {
                    stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(n)
                }
            }
            let before = stream.pointee.avail_out
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_STREAM_END:
                // Another member may follow; anything else after the end is trailing garbage.
                if stream.pointee.avail_in == 0 && !upstreamDone {
                    let n = try upstream.read(into: input)
                    if n == 0 { upstreamDone = true } else {
                        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_in = uInt(n)
                    }
                }
                if stream.pointee.avail_in == 0 {
                    finished = true
                    return buffer.count - Int(stream.pointee.avail_out)
                }
                guard let next = stream.pointee.next_in, next.pointee == Self.magic[0],
                      stream.pointee.avail_in < 2 || next[1] == Self.magic[1] else {
                    // Not another member: what was decoded is returned now, the garbage reported next.
                    finished = true
                    let trailing = try Int(stream.pointee.avail_in) + drainUpstream()
                    pendingError = InputError(path: path, reason: "\(trailing) byte(s) after the last gzip member are not gzip data (ignored)",
                                              kind: .trailingGarbage)
                    return buffer.count - Int(stream.pointee.avail_out)
                }
                _ = inflateReset(stream)
            case Z_OK:
                break
            case Z_BUF_ERROR where upstreamDone && stream.pointee.avail_in == 0:
                return try stop(InputError(path: path, reason: "truncated gzip stream"), buffer)
            case Z_BUF_ERROR:
                if stream.pointee.avail_out == before && upstreamDone {
                    return try stop(InputError(path: path, reason: "truncated gzip stream"), buffer)
                }
            default:
                let why = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                return try stop(InputError(path: path, reason: "corrupt gzip data (\(why))"), buffer)
            }
        }
        return buffer.count
    }

    /// Ends the stream with `error`: the bytes decoded by this call are returned first and the
    /// error raised by the next one, so every decodable line is used.
    private func stop(_ error: InputError, _ buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        finished = true
        let produced = buffer.count - Int(stream.pointee.avail_out)
        guard produced > 0 else { throw error }
        pendingError = error
        return produced
    }

    /// Reads the rest of the upstream to its end, counting the bytes (bounded memory).
    private func drainUpstream() throws(InputError) -> Int {
        var total = 0
        while !upstreamDone {
            let n = try upstream.read(into: input)
            if n == 0 { upstreamDone = true } else { total += n }
        }
        return total
    }
}
