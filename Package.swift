// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "vdm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vdm", targets: ["vdm"]),
        .library(name: "LogPipeline", targets: ["LogPipeline"]),
        .library(name: "Journald", targets: ["Journald"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // NIOHTTPTypes (HTTPParseErrorHandler); Hummingbird depends on it already.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // OTLP export (logs, metrics). Only the OTLP/HTTP trait: the gRPC exporter and its packages stay out of the
        // build and out of Package.resolved (grpc-swift-2 and its transports are neither fetched nor compiled).
        // Tools 6.1 is the first manifest version that can choose a dependency's traits.
        .package(url: "https://github.com/swift-otel/swift-otel", exact: "1.6.0", traits: ["OTLPHTTP"]),
        // CoreMetrics: the factory protocol swift-otel's metrics backend implements (already in the graph through swift-otel).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
    ],
    targets: [
        // Record model, formatters, redaction, correlation, metrics model, tracker, renderers, readers.
        .target(
            name: "LogPipeline",
            dependencies: [
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // zlib through pkg-config, for reading `.gz` logs in-process; zlib1g-dev at build time.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libsystemd through pkg-config; libsystemd-dev at build time.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "Journald",
            dependencies: [
                "LogPipeline",
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The proxy as a library (module `VDMProxy`, not `Proxy`: a bare `Proxy` is a common type name and
        // would shadow the module in qualified names): server, routes, conversion, upstreams, live views,
        // the journal analyzers and the fuzz targets (they need the parsers' internals).
        .target(
            name: "VDMProxy",
            dependencies: [
                "LogPipeline",
                "Journald",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Sources/Proxy",
            swiftSettings: strict
        ),
        // The embedded OpenAI/Anthropic look-alike for the demo, benchmarks and tests; knows nothing of the proxy.
        .target(
            name: "MockUpstream",
            dependencies: [
                "LogPipeline",  // the one JSON string writer (JSONBytes)
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // `vdm demo`'s run (mock + proxy on loopback, traffic, replay check); the end-to-end tests reuse it.
        .target(
            name: "VDMDemo",
            dependencies: [
                "VDMProxy",
                "MockUpstream",
                "LogPipeline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Demo",
            swiftSettings: strict
        ),
        // The benchmarks, apart from the proxy the way Hummingbird keeps its performance tests apart:
        // they measure the built binary and the bare stack, and must not grow the library.
        .target(
            name: "VDMBench",
            dependencies: [
                "VDMProxy",
                "LogPipeline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Bench",
            swiftSettings: strict
        ),
        // The `vdm` command line: argument parsing only, over the targets above.
        .executableTarget(
            name: "vdm",
            dependencies: [
                "VDMProxy",
                "MockUpstream",
                "VDMDemo",
                "VDMBench",
                "LogPipeline",
                "Journald",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The suite's one skip policy (CI: a missing real component fails; locally: a visible skip).
        .target(name: "RealComponent", path: "Tests/RealComponent", swiftSettings: strict),
        .testTarget(
            name: "LogPipelineTests",
            dependencies: [
                "LogPipeline",
                "RealComponent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "JournaldTests",
            dependencies: ["Journald", "LogPipeline", "RealComponent", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "VDMProxy",
                "MockUpstream",
                "VDMDemo",
                "VDMBench",
                "LogPipeline",
                "Journald",
                "RealComponent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
