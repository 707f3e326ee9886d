package import Prometheus

/// The Prometheus vocabulary of vdm (docs/metrics-api.md lists it). Modelled on LiteLLM's
/// (`litellm_proxy_total_requests_metric`, `litellm_llm_api_latency_metric`, …) but in Prometheus'
/// own naming style: `vdm_` prefix, base unit in the name, `_total` on counters.
/// Computed, not stored: `MetricNameDescriptor` is not `Sendable`.
package enum MetricNames {
    package static var requests: MetricNameDescriptor {
        .init(metricName: "vdm_requests", unitName: "total",
              helpText: "Completed requests (errors included) by provider, model and streaming.")
    }
    package static var errors: MetricNameDescriptor {
        .init(metricName: "vdm_request_errors", unitName: "total",
              helpText: "Completed requests that failed, by provider, model, streaming and error type.")
    }
    static var tokens: MetricNameDescriptor {
        .init(metricName: "vdm_tokens", unitName: "total",
              helpText: "Tokens of completed requests by provider, model and type (input excludes cache reads and writes).")
    }
    package static var duration: MetricNameDescriptor {
        .init(metricName: "vdm_request_duration", unitName: "seconds",
              helpText: "Request received to last byte sent, completed requests.")
    }
    package static var upstream: MetricNameDescriptor {
        .init(metricName: "vdm_upstream_duration", unitName: "seconds",
              helpText: "Request sent upstream to upstream response complete, requests that reached the upstream.")
    }
    static var overhead: MetricNameDescriptor {
        .init(metricName: "vdm_proxy_overhead", unitName: "seconds",
              helpText: "Total duration minus upstream duration, requests that reached the upstream.")
    }
    static var firstToken: MetricNameDescriptor {
        .init(metricName: "vdm_time_to_first_token", unitName: "seconds",
              helpText: "Request received to first content byte relayed, streaming requests.")
    }
    static var inFlight: MetricNameDescriptor {
        .init(metricName: "vdm_requests_in_flight", unitName: "",
              helpText: "Requests started and not yet completed.")
    }
    static var logRecords: MetricNameDescriptor {
        .init(metricName: "vdm_log_records", unitName: "total",
              helpText: "Log records emitted by this process (the last event.sequence).")
    }
    static var logRecordsDropped: MetricNameDescriptor {
        .init(metricName: "vdm_log_records_dropped", unitName: "total",
              helpText: "Log records an output dropped because its queue stayed full past the bounded wait (each is a sequence gap in that output), by sink.")
    }
    static var logFallback: MetricNameDescriptor {
        .init(metricName: "vdm_log_fallback_active", unitName: "",
              helpText: "1 when a requested log output is not in effect (fell back), else 0.")
    }
    /// Present only while an output is fallen back, so alerts see which one and where it went.
    package static var logSinkFallback: MetricNameDescriptor {
        .init(metricName: "vdm_log_sink_fallback", unitName: "",
              helpText: "1 while the requested log output `sink` writes to `to` instead (journald to syslog or console, syslog to console).")
    }

    static var clientTelemetry: MetricNameDescriptor {
        .init(metricName: "vdm_client_telemetry_requests", unitName: "total",
              helpText: "Client telemetry posts (Claude Code's /api/event_logging/batch, /api/claude_code/metrics) answered locally; not model requests.")
    }

    /// Families about the running process rather than its completed requests: a replay of log files
    /// cannot rebuild them (docs/analyzer.md), so it does not render them.
    package static var processFamilies: [String] { [inFlight.name, logRecords.name, logRecordsDropped.name, logFallback.name, logSinkFallback.name, clientTelemetry.name] }

    /// Whole requests of LLMs: from a fast cache hit to a long agentic stream.
    package static let durationBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        .seconds(10), .seconds(20), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]
    /// Time to first token: interactive models answer in well under a second, reasoning ones take longer.
    static let firstTokenBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2), .seconds(5), .seconds(10), .seconds(20), .seconds(60),
    ]
    /// The proxy's own cost: conversion, logging, scheduling — sub-millisecond when healthy.
    static let overheadBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
    ]
}
