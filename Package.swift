// swift-tools-version:6.0
// edgelog: nginx access logs -> shipper -> broker -> consumer -> sharded PostgreSQL.
// Imports point one way (see README "Layout"): record/format/compression libraries are pure,
// service libraries add NIO and lifecycle, executables only wire libraries together.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "edgelog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edgelog", targets: ["EdgelogCLI"]),
        // Libraries the separate Benchmarks/ package links (CI's test build never compiles it).
        .library(name: "NginxLog", targets: ["NginxLog"]),
        .library(name: "AttackDetection", targets: ["AttackDetection"]),
        .library(name: "AccessRecord", targets: ["AccessRecord"]),
        .library(name: "LZ4Frame", targets: ["LZ4Frame"]),
        .library(name: "TrafficGenerator", targets: ["TrafficGenerator"]),
        .library(name: "RequestEncoding", targets: ["RequestEncoding"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .library(name: "BrokerCore", targets: ["BrokerCore"]),
        .executable(name: "edgelog-broker", targets: ["Broker"]),
        .executable(name: "edgelog-shipper", targets: ["Shipper"]),
        .executable(name: "edgelog-consumer", targets: ["Consumer"]),
        .library(name: "TrafficAggregation", targets: ["TrafficAggregation"]),
        .library(name: "ConsumerCore", targets: ["ConsumerCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries, each imported by exactly one Swift target.
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),

        // Pure libraries: bytes in, bytes out.
        .target(name: "AccessRecord", dependencies: ["CCapnpPacking"], swiftSettings: strict),
        .target(name: "NginxLog", swiftSettings: strict),
        // SQL injection, XSS, traversal and scanner classification of one request. Standard library only.
        .target(name: "AttackDetection", dependencies: ["NginxLog"], swiftSettings: strict),
        .target(name: "LZ4Frame", dependencies: ["CLZ4"], swiftSettings: strict),
        .target(name: "CCRC32C"),
        .target(name: "CCapnpPacking"),
        .target(name: "KafkaProtocol", dependencies: ["LZ4Frame", "CCRC32C", nioCore], swiftSettings: strict),

        // The file side of the shipper: tails nginx logs across rotation, checkpoints acknowledged prefixes.
        .target(name: "LogTailing", dependencies: ["NginxLog", "FileStorage", logging], swiftSettings: strict),

        // One parsed nginx line -> one Cap'n Proto record.
        .target(name: "RequestEncoding", dependencies: ["NginxLog", "AccessRecord"], swiftSettings: strict),

        // Realistic nginx traffic and its ground truth; never imports the parser it checks.
        .target(name: "TrafficGenerator", swiftSettings: strict),

        // Settings declared once (name, kind, default, help, environment name) and resolved from
        // flags, environment and config file. Foundation only: the Core targets read their keys here.
        .target(name: "EdgelogConfiguration", swiftSettings: strict),

        // Runtime conventions every executable shares: logging, /metrics, shutdown, setting flags.
        .target(
            name: "EdgelogRuntime",
            dependencies: [
                "EdgelogConfiguration", nioCore, nioPosix, nioHTTP1, logging, metrics, prometheus, serviceLifecycle,
                argumentParser,
            ],
            swiftSettings: strict
        ),

        // The only user of libpq.
        .target(name: "PostgresSink", dependencies: ["CLibPQ", logging], swiftSettings: strict),

        // Files behind one seam: the real disk or an in-memory fake that tears writes, loses unsynced
        // bytes in a simulated crash and injects errors. Shared by the segment and checkpoint stores.
        .target(name: "FileStorage", swiftSettings: strict),

        // Partition logs on disk: segments, sparse indexes, recovery. No networking.
        // Batch headers, CRC-32C and `RecordBatches` come from KafkaProtocol: one definition of
        // the record-batch layout for the shipper, the broker and the log.
        .target(name: "SegmentStore", dependencies: ["FileStorage", "KafkaProtocol", nioCore, logging], swiftSettings: strict),

        // edgelog's own Kafka client: one pipelined connection, version negotiation, idempotent producer state.
        .target(name: "KafkaClient", dependencies: ["KafkaProtocol", nioCore, nioPosix, logging], swiftSettings: strict),

        // The Kafka-protocol broker: connections, request dispatch, topics, offsets. NIOPosix only in
        // BrokerServer.swift (the listening socket and the storage thread pool).
        .target(
            name: "BrokerCore",
            dependencies: [
                "KafkaProtocol", "SegmentStore", "FileStorage", "EdgelogConfiguration", nioCore, nioPosix, logging, metrics,
                serviceLifecycle,
            ],
            swiftSettings: strict
        ),

        // The shipper: tail, parse, encode, batch per (file, partition), produce idempotently, checkpoint
        // the acknowledged prefix of every file.
        .target(
            name: "ShipperCore",
            dependencies: [
                "LogTailing", "FileStorage", "RequestEncoding", "NginxLog", "AccessRecord", "KafkaProtocol", "KafkaClient",
                "EdgelogConfiguration", nioCore, logging, metrics, serviceLifecycle,
            ],
            swiftSettings: strict
        ),

        // Records -> per-(minute, site) additive deltas, the shard ring, per-partition progress and
        // lateness. Pure: no sockets, no database.
        .target(name: "TrafficAggregation", dependencies: ["AccessRecord", "NginxLog", "HyperLogLog", "AttackDetection"], swiftSettings: strict),

        // Distinct-count sketches byte-identical to PostgreSQL's `hll` extension (citusdata/postgresql-hll):
        // MurmurHash3, the EXPLICIT/SPARSE/FULL storage format, union and the estimator. Standard library
        // only (plus the C library's `log`, the function the extension's estimator calls).
        .target(name: "HyperLogLog", swiftSettings: strict),

        // The PostgreSQL schema of shards and coordinator (versioned migrations) and applying it.
        .target(name: "EdgelogSchema", dependencies: ["PostgresSink", "TrafficAggregation", logging], swiftSettings: strict),

        // The consumer: fetch partitions, aggregate, flush to the shards exactly once.
        .target(
            name: "ConsumerCore",
            dependencies: [
                "TrafficAggregation", "HyperLogLog", "EdgelogSchema", "AccessRecord", "KafkaProtocol", "KafkaClient", "PostgresSink",
                "EdgelogConfiguration", nioCore, logging, metrics, serviceLifecycle,
            ],
            swiftSettings: strict
        ),

        // The analysts' reports: query the coordinator (as `edgelog_analyst`) and shape the rows into
        // report values, their JSON and their terminal text. No argument parsing here.
        .target(name: "AnalystReports", dependencies: ["PostgresSink"], swiftSettings: strict),

        // `edgelog demo`'s pipeline in one process: parse, encode, compress, decode, report.
        .target(
            name: "InProcessDemo",
            dependencies: ["AccessRecord", "LZ4Frame", "NginxLog", "RequestEncoding", metrics],
            swiftSettings: strict
        ),

        // Test harness: PostgreSQL clusters and our executables on ephemeral loopback ports.
        .target(name: "PipelineTestSupport", dependencies: ["PostgresSink", logging], swiftSettings: strict),

        // Executables: argument parsing and wiring only.
        .executableTarget(
            name: "EdgelogCLI",
            dependencies: [
                "InProcessDemo", "NginxLog", "TrafficGenerator", "EdgelogConfiguration", "EdgelogRuntime", "EdgelogSchema",
                "PostgresSink", "AttackDetection", "AnalystReports", argumentParser, logging, metrics,
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "Broker",
            dependencies: ["BrokerCore", "EdgelogConfiguration", "EdgelogRuntime", argumentParser, logging],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "Shipper",
            dependencies: ["ShipperCore", "LogTailing", "EdgelogConfiguration", "EdgelogRuntime", argumentParser, logging],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "Consumer",
            dependencies: ["ConsumerCore", "EdgelogConfiguration", "EdgelogRuntime", argumentParser, logging],
            swiftSettings: strict
        ),

        .testTarget(name: "HyperLogLogTests", dependencies: ["HyperLogLog"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "TrafficAggregationTests", dependencies: ["TrafficAggregation", "AccessRecord", "AttackDetection", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EdgelogSchemaTests",
            dependencies: ["EdgelogSchema", "TrafficAggregation", "PostgresSink", "PipelineTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsumerCoreTests",
            dependencies: [
                "ConsumerCore", "TrafficAggregation", "EdgelogSchema", "AccessRecord", "KafkaProtocol", "KafkaClient",
                "PostgresSink", "TrafficGenerator", "EdgelogConfiguration", "EdgelogRuntime", "PipelineTestSupport", "AttackDetection", nioCore, logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AttackDetectionTests", dependencies: ["AttackDetection", "TrafficGenerator"], exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "NginxLogTests", dependencies: ["NginxLog", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "AccessRecordTests", dependencies: ["AccessRecord", "CCapnpPacking", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "RequestEncodingTests", dependencies: ["RequestEncoding", "TrafficGenerator", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "LZ4FrameTests", dependencies: ["LZ4Frame", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol", "PipelineTestSupport", nioCore, .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOTestUtils", package: "swift-nio")], swiftSettings: strict),
        .testTarget(
            name: "EdgelogRuntimeTests",
            dependencies: [
                "EdgelogRuntime", "EdgelogConfiguration", "PipelineTestSupport", nioCore, nioPosix, logging, metrics, prometheus,
                serviceLifecycle,
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "EdgelogConfigurationTests", dependencies: ["EdgelogConfiguration", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "LogTailingTests", dependencies: ["LogTailing", "FileStorage", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrafficGeneratorTests", dependencies: ["TrafficGenerator", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(name: "EdgelogCLITests", dependencies: ["PipelineTestSupport", "TrafficGenerator"], swiftSettings: strict),
        .testTarget(
            name: "AnalystReportsTests",
            dependencies: ["AnalystReports", "EdgelogSchema", "PostgresSink", "PipelineTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "PostgresSinkTests", dependencies: ["PostgresSink", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: [
                "KafkaClient", "KafkaProtocol", "PipelineTestSupport", nioCore, nioPosix,
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "FileStorageTests", dependencies: ["FileStorage", "PipelineTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "SegmentStoreTests",
            dependencies: ["SegmentStore", "FileStorage", "KafkaProtocol", "PipelineTestSupport", nioCore],
            swiftSettings: strict),
        .testTarget(
            name: "BrokerCoreTests",
            dependencies: [
                "BrokerCore", "KafkaProtocol", "SegmentStore", "FileStorage", "EdgelogConfiguration", "EdgelogRuntime", "PipelineTestSupport",
                "KafkaClient", nioCore,
                .product(name: "NIOEmbedded", package: "swift-nio"), logging, metrics,
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShipperCoreTests",
            dependencies: [
                "ShipperCore", "LogTailing", "FileStorage", "KafkaProtocol", "KafkaClient", "AccessRecord", "NginxLog",
                "TrafficGenerator", "EdgelogConfiguration", "EdgelogRuntime", "PipelineTestSupport", nioCore, logging, metrics,
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InProcessDemoTests", dependencies: ["InProcessDemo", "NginxLog", "TrafficGenerator", metrics],
            swiftSettings: strict
        ),
        // Issue 17: the whole pipeline behind Debian's real nginx (all parts as processes).
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["PipelineTestSupport", "PostgresSink", "KafkaClient", "KafkaProtocol", logging],
            swiftSettings: strict
        ),
        .testTarget(name: "PipelineTestSupportTests", dependencies: ["PipelineTestSupport", "PostgresSink"], swiftSettings: strict),
    ]
)
