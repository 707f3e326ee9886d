import Hummingbird
import LogPipeline

/// Query parameters of the `/metrics/*` views, validated: a value we cannot read is a 400 with the
/// Anthropic error envelope, never a silent default. Unknown parameters (e.g. `key`) are ignored.
struct MetricsQuery {
    let parameters: [(key: Substring, value: Substring)]

    init(_ request: Request) {
        parameters = Array(request.uri.queryParameters)
    }

    /// The first value of `name`, if the parameter is present.
    func value(_ name: String) -> Substring? {
        parameters.first { $0.key == name }?.value
    }

    func bool(_ name: String, default fallback: Bool) throws(ProxyError) -> Bool {
        guard let raw = value(name), !raw.isEmpty else { return fallback }
        guard let parsed = BooleanSetting.parse(raw) else {
            throw .invalidRequest("\(name): must be true or false, not '\(Self.echo(raw))'")
        }
        return parsed
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ProxyError) -> Int {
        guard let raw = value(name), !raw.isEmpty else { return fallback }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw .invalidRequest("\(name): must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(Self.echo(raw))'")
        }
        return parsed
    }

    /// A wildcard filter (`*`, `?`, case-insensitive); empty means no filter.
    func pattern(_ name: String) throws(ProxyError) -> String? {
        guard let raw = value(name), !raw.isEmpty else { return nil }
        guard raw.count <= Self.maxPatternLength else {
            throw .invalidRequest("\(name): pattern longer than \(Self.maxPatternLength) characters")
        }
        return String(raw)
    }

    static let maxPatternLength = 256

    /// The offending value as the error message quotes it: short, one line.
    static func echo(_ raw: Substring) -> String {
        LineEscaper.escaped(String(raw.prefix(64)))
    }
}
