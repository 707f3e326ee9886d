package import LogPipeline

/// `vdm replay --format prometheus`: the `/metrics` families that completed requests make, rebuilt by
/// feeding every replayed completion to a `MetricsExporter` (the live endpoint's own code, so the
/// same names, labels, label caps, buckets and order). The families about the running process
/// (`MetricNames.processFamilies`) are left out: a log does not say what a process held at a scrape.
package enum ReplayExposition {
    /// An exporter for a replay: no process families. The shape rules only: the records were redacted
    /// with the writing proxy's configured keys, which a replay does not know.
    package static func makeExporter() -> MetricsExporter {
        var configuration = MetricsExporter.Configuration()
        configuration.processFamilies = false
        return MetricsExporter(configuration: configuration, redactor: Redactor())
    }

    /// Replays `paths` into the totals state and, from the same pass, the exposition text. `filter`
    /// keeps the requests whose provider and model bucket names match (the YAML's rule).
    package static func run(paths: [String], filter: TotalsFilter = TotalsFilter(), parallelism: Int = Replay.processorCount,
                    progress: ProgressCounter? = nil) async throws(InputError) -> (state: ReplayState, exposition: String) {
        let exporter = makeExporter()
        let state = try await Replay.run(paths: paths, parallelism: parallelism, progress: progress,
                                         onCompleted: observer(feeding: exporter, filter: filter))
        return (state, exporter.exposition)
    }

    /// Feeds each completed request that `filter` keeps to `exporter`; for any replay source.
    package static func observer(feeding exporter: MetricsExporter, filter: TotalsFilter) -> Replay.CompletionObserver {
        { m in
            if filter.admits(provider: m.providerKey) && filter.admits(model: m.modelKey) { exporter.record(m) }
        }
    }
}
