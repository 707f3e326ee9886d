#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record of a traced request.
public struct TraceRecord: Sendable, Equatable, Codable {
    public var summary: RecordSummary
    public var instance: String
    /// The request's metrics as logged by `request.started` (start-time fields only) or `request.completed`.
    public var metrics: RequestMetrics?
    /// Why its metrics could not be used (a value out of bounds or of the wrong type), if so.
    public var problem: String?
}

/// `vdm trace`: collects every record whose `http.request.id` starts with a prefix.
public struct TraceCollector: RecordConsumer {
    public static let maxCandidates = 1_000
    public static let maxRecordsPerRequest = 10_000

    public let prefix: String
    private let prefixBytes: [UInt8]
    private var records: [String: [TraceRecord]] = [:]
    private var firstSeen: [String: RecordSummary] = [:]
    public private(set) var candidatesOverflowed = false
    public private(set) var problems = InputProblems()

    public init(prefix: String) {
        self.prefix = prefix
        prefixBytes = Array(prefix.utf8)
    }

    public mutating func record(_ kind: RecordKind, _ parser: RecordParser, at location: SourceLocation) {
        let wanted = prefixBytes
        let matches = parser.withStringBytes(.requestID) { b in
            b.count >= wanted.count && wanted.withUnsafeBytes { w in
                guard let x = b.baseAddress, let y = w.baseAddress else { return true }
                return memcmp(x, y, w.count) == 0
            }
        } ?? false
        guard matches, let id = parser.requestID else { return }
        if records[id] == nil {
            guard records.count < Self.maxCandidates else { candidatesOverflowed = true; return }
            firstSeen[id] = RecordSummary(parser, at: location)
        }
        guard records[id, default: []].count < Self.maxRecordsPerRequest else { return }
        // A payload with a value out of bounds or of the wrong type is shown as a record without
        // metrics (so no timeline arithmetic on it) and reported.
        var metrics: RequestMetrics?
        var unusable: String?
        do throws(FieldProblem) {
            switch kind {
            case .completed: metrics = try parser.completedMetrics()
            case .started: metrics = try parser.startedPayload().metrics
            default: break
            }
        } catch {
            unusable = "\(error.kind.label): \(error)"
            problems.record(InputProblem(kind: error.kind, location: location, detail: "\(parser.action ?? "?"): \(error)"))
        }
        records[id, default: []].append(TraceRecord(summary: RecordSummary(parser, at: location, cut: false), instance: parser.instanceID,
                                                    metrics: metrics, problem: unusable))
    }

    public mutating func problem(_ problem: InputProblem) {
        problems.record(problem)
    }

    public func result() -> TraceResult {
        if records.isEmpty { return .notFound(prefix: prefix) }
        if records.count > 1 {
            let candidates = records.keys.sorted().map { id in
                let first = firstSeen[id]
                let model = records[id]?.compactMap(\.metrics).first.map { $0.requestedModel } ?? ""
                return TraceCandidate(requestID: id, firstSeen: first?.location, timestamp: first?.timestampMicros.map { WallClock.iso8601(micros: $0) },
                                      records: records[id]?.count ?? 0, requestedModel: model)
            }
            return .ambiguous(prefix: prefix, candidates: candidates, more: candidatesOverflowed)
        }
        guard let (id, list) = records.first else { return .notFound(prefix: prefix) }
        return .found(RequestTrace(requestID: id, records: list))
    }

    /// Traces `prefix` through `paths` (read in turn).
    public static func trace(prefix: String, paths: [String]) throws(InputError) -> TraceResult {
        try Replay.checkReadable(paths)
        let reader = RecordReader()
        var collector = TraceCollector(prefix: prefix)
        for path in paths { _ = try reader.read(path: path, into: &collector) }
        return collector.result()
    }

    /// Traces `prefix` through record lines already split (e.g. from a journal reader).
    public static func trace(prefix: String, lines: some Sequence<String>, name: String) -> TraceResult {
        let reader = RecordReader()
        var collector = TraceCollector(prefix: prefix)
        _ = reader.read(lines: lines, name: name, into: &collector)
        return collector.result()
    }
}
