public import Logging

/// Relabels INFO records of chatty libraries as DEBUG. Never drops: the sink still writes them.
/// Off when the configured level is DEBUG or TRACE (the operator asked for everything as it is).
public struct DowngradeFilter: Sendable {
    public static let defaultPrefixes = ["AsyncHTTPClient", "NIO", "Hummingbird", "hummingbird", "swift-nio"]

    public var prefixes: [String]
    public var enabled: Bool

    public init(prefixes: [String] = DowngradeFilter.defaultPrefixes, configuredLevel: Logger.Level) {
        self.prefixes = prefixes
        self.enabled = configuredLevel > .debug
    }

    /// The level the record is written with.
    @inline(__always)
    public func apply(level: Logger.Level, label: String) -> Logger.Level {
        apply(level: level, noisy: isNoisy(label))
    }

    /// `apply` for a label already classified (a handler's label never changes, so it asks once).
    @inline(__always)
    public func apply(level: Logger.Level, noisy: Bool) -> Logger.Level {
        enabled && noisy && level == .info ? .debug : level
    }

    /// Whether `label` starts with one of the noisy prefixes.
    public func isNoisy(_ label: String) -> Bool {
        prefixes.contains { label.hasPrefix($0) }
    }
}
