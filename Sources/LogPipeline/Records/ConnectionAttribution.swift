import Logging
import Synchronization

/// Gives AsyncHTTPClient's connection-level lines the correlation id of the request they serve.
///
/// AsyncHTTPClient logs a connection's events with its pool's background logger, outside any
/// request's task, so the task-local id is not there ("releasing connection", "connection closed",
/// "connection attempt failed" …). Every such line carries `ahc-connection-id`, and the lines it
/// logs through the request's own logger carry the same key next to our id: so the router learns
/// which request a connection is serving from the latter and stamps the former. A connection that
/// says it is released or closed is forgotten; until then a line about it belongs to the last
/// request it served (AsyncHTTPClient does not log the end of a request at DEBUG).
///
/// Bounded: at most `capacity` connections are remembered (AsyncHTTPClient's pool limit is far
/// below); past it the table starts afresh rather than grow.
package final class ConnectionAttribution: Sendable {
    package static let connectionKey = "ahc-connection-id"
    package static let capacity = 4_096
    /// Messages after which the connection no longer serves the request it served.
    static let releasing: Set<String> = ["releasing connection", "connection closed"]

    /// A request a connection serves: its id and, when its logger declared one, its trace.
    struct Served: Sendable, Equatable {
        let id: String
        let trace: TraceIDs?
    }

    private let serving = Mutex<[String: Served]>([:])

    package init() {}

    /// The correlation id for a line. Lines that name no connection keep `correlationID`. A line
    /// that names one trusts only an id its logger declared (AsyncHTTPClient's request logger
    /// carries ours), and then remembers the connection as serving that request; else it gets the
    /// id of the request the connection serves, or none. Never the task-local's alone: a pool line
    /// can run inline inside another request's task.
    ///
    /// With the id comes the trace the request's logger declared (`declaredTrace`), remembered
    /// for the connection like the id.
    func attribute(correlationID: String?, declaredID: String?, declaredTrace: TraceIDs?, metadata: Logger.Metadata,
                   message: String) -> Served? {
        guard let value = metadata[Self.connectionKey] else {
            return correlationID.map { Served(id: $0, trace: $0 == declaredID ? declaredTrace : nil) }
        }
        let connection = value.description
        let release = Self.releasing.contains(message)
        return serving.withLock { table in
            if let declaredID {
                if release {
                    table.removeValue(forKey: connection)
                } else {
                    if table.count >= Self.capacity, table[connection] == nil { table.removeAll(keepingCapacity: true) }
                    table[connection] = Served(id: declaredID, trace: declaredTrace)
                }
                return Served(id: declaredID, trace: declaredTrace)
            }
            return release ? table.removeValue(forKey: connection) : table[connection]
        }
    }

    /// Connections currently remembered (for tests).
    package var count: Int { serving.withLock { $0.count } }
}
