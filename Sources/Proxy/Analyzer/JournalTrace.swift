package import Journald
package import LogPipeline

/// `vdm trace PREFIX --journal`: the journal's entries for that prefix (found through the
/// `VDM_CORRELATION_PREFIX` field), each carrying its full ECS record in `VDM_ECS_JSON`, go through
/// the same trace code as log files. A journal that cannot be read is the caller's to report (the CLI
/// maps it to exit 66).
package enum JournalTrace {
    package static func trace(prefix: String, source: JournalSource) throws(JournalReaderError) -> TraceResult {
        let reader = try JournalReader(source: source)
        let stream = try reader.entries(correlationPrefix: prefix)
        var lines: [String] = []
        while let entry = try stream.next() {
            if let json = entry.ecsJSON { lines.append(String(decoding: json, as: UTF8.self)) }
        }
        return TraceCollector.trace(prefix: prefix, lines: lines, name: "journal:\(source)")
    }
}
