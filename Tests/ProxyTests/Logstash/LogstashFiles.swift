import Foundation
import LogPipeline
import Yams
import VDMProxy

/// The files under `logstash/` in this checkout.
enum LogstashFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("logstash")

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONValue.parse(try text(relative))
    }

    /// A pipeline file, parsed.
    static func config(_ name: String) throws -> LogstashConfig {
        try LogstashConfigParser.parse(try text("pipeline/" + name), file: name)
    }

    /// Names of the files in `pipeline/`, sorted.
    static var pipelineFiles: [String] {
        get throws {
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("pipeline").path)
                .filter { $0.hasSuffix(".conf") }.sorted()
        }
    }

    /// The file every pipeline shares (filter and Elasticsearch output).
    static let shared = "vdm-shared.conf"
}

/// `logstash/pipelines.yml`: each pipeline's id, settings and the pipeline files its `path.config`
/// matches, in the order Logstash concatenates them (`Dir.glob(path).sort`, local.rb).
struct PipelineDefinition {
    var id: String
    var pathConfig: String
    var ecsCompatibility: String?
    /// Basenames of the matched files under `logstash/pipeline/`, sorted by path.
    var files: [String]

    static func load() throws -> [PipelineDefinition] {
        guard let list = try Yams.load(yaml: try LogstashFiles.text("pipelines.yml")) as? [[String: Any]] else {
            throw TestFailure("pipelines.yml: a list of pipelines expected")
        }
        let available = try LogstashFiles.pipelineFiles
        return try list.map { entry in
            guard let id = entry["pipeline.id"] as? String, let path = entry["path.config"] as? String else {
                throw TestFailure("pipelines.yml: pipeline.id and path.config expected in \(entry)")
            }
            // Every file the glob matches, as the installed directory holds the files of pipeline/.
            let directory = (path as NSString).deletingLastPathComponent
            let pattern = (path as NSString).lastPathComponent
            let files = expandBraces(pattern).flatMap { glob in available.filter { WildcardPattern(glob, caseSensitive: true).matches($0) } }
            let sorted = Set(files).map { directory + "/" + $0 }.sorted().map { ($0 as NSString).lastPathComponent }
            return PipelineDefinition(id: id, pathConfig: path, ecsCompatibility: entry["pipeline.ecs_compatibility"] as? String, files: sorted)
        }
    }

    /// `{a,b}.conf` → `a.conf`, `b.conf` (Ruby's Dir.glob brace expansion; one level suffices here).
    static func expandBraces(_ pattern: String) -> [String] {
        guard let open = pattern.firstIndex(of: "{"), let close = pattern[open...].firstIndex(of: "}") else { return [pattern] }
        let head = pattern[..<open], tail = pattern[pattern.index(after: close)...]
        return pattern[pattern.index(after: open)..<close].split(separator: ",", omittingEmptySubsequences: false)
            .flatMap { expandBraces(String(head + $0 + tail)) }
    }

    /// The parsed files, in concatenation order.
    var configs: [LogstashConfig] { get throws { try files.map(LogstashFiles.config) } }
}
