// swift-tools-version:6.0
// edgelog benchmarks: a separate package, so CI's test build never compiles it. It links the
// root package's libraries by path. Run from the repository root:
//
//   swift run -c release --package-path Benchmarks edgelog-bench [--only aggregate]
//   swift run -c release --package-path Benchmarks produce-fetch-bench [--compression lz4]
//   swift run -c release --package-path Benchmarks broker-bench [--producers 1,4,16]
//   swift run -c release --package-path Benchmarks consumer-bench --bin-dir .build-bench/release
//   swift run -c release --package-path Benchmarks detect-bench [--requests 2000000] [--jsonl PATH]
//   swift run -c release --package-path Benchmarks pipeline-bench --bin-dir .build-bench/release
//
// (see BENCHMARKS.md for the numbers and what each stage measures).
import PackageDescription

let package = Package(
    name: "edgelog-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "edgelog", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Shipper hot path (parse, encode, compress), consumer decode (issue 3) and aggregate.
        .executableTarget(
            name: "edgelog-bench",
            dependencies: [
                .product(name: "NginxLog", package: "edgelog"),
                .product(name: "AccessRecord", package: "edgelog"),
                .product(name: "RequestEncoding", package: "edgelog"),
                .product(name: "TrafficGenerator", package: "edgelog"),
                .product(name: "LZ4Frame", package: "edgelog"),
                .product(name: "TrafficAggregation", package: "edgelog"),
                .product(name: "AttackDetection", package: "edgelog"),
            ],
            path: "Sources/EdgelogBench"
        ),
        // Broker produce/fetch over loopback beside a raw sequential write (issue 4).
        .executableTarget(
            name: "produce-fetch-bench",
            dependencies: [
                .product(name: "BrokerCore", package: "edgelog"),
                .product(name: "KafkaClient", package: "edgelog"),
                .product(name: "KafkaProtocol", package: "edgelog"),
                .product(name: "TrafficGenerator", package: "edgelog"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ProduceFetchBench"
        ),
        // Shipper end to end: a 2 M-line edge file to acknowledged in the broker, beside
        // lz4 -1 over a loopback socket (issue 6). Runs the release executables as processes.
        // Child processes, loopback HTTP, /proc readings and the benchmark log file, shared by
        // the benches that run the release executables.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "TrafficGenerator", package: "edgelog")],
            path: "Sources/BenchSupport"
        ),
        .executableTarget(
            name: "shipper-bench",
            dependencies: [.product(name: "TrafficGenerator", package: "edgelog"), "BenchSupport"],
            path: "Sources/ShipperBench"
        ),
        // Produce with fsync before ack and group commit, 1/4/16 producers, beside a raw write
        // with the same fsync cadence (issue 5).
        .executableTarget(
            name: "broker-bench",
            dependencies: [
                .product(name: "BrokerCore", package: "edgelog"),
                .product(name: "KafkaClient", package: "edgelog"),
                .product(name: "KafkaProtocol", package: "edgelog"),
                .product(name: "TrafficGenerator", package: "edgelog"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/BrokerBench"
        ),
        // AttackDetector on clean generated traffic and the labelled corpus (issue 16).
        .executableTarget(
            name: "detect-bench",
            dependencies: [
                .product(name: "AttackDetection", package: "edgelog"),
                .product(name: "TrafficGenerator", package: "edgelog"),
            ],
            path: "Sources/DetectBench"
        ),
        // libpq for consumer-bench (the root package's CLibPQ is not a product).
        .systemLibrary(name: "BenchLibPQ", path: "Sources/BenchLibPQ", providers: [.apt(["libpq-dev"])]),
        // Consumer end to end: a preloaded broker to committed rows in three PostgreSQL shards,
        // with flush latency from the consumer's /metrics (issue 11). Runs the release
        // executables as processes, and a throwaway PostgreSQL cluster.
        // A blocking libpq connection, a throwaway PostgreSQL cluster and a Prometheus histogram
        // reader, shared by the benches that write to PostgreSQL.
        .target(name: "BenchPostgres", dependencies: ["BenchLibPQ", "BenchSupport"], path: "Sources/BenchPostgres"),
        .executableTarget(
            name: "consumer-bench",
            dependencies: [.product(name: "TrafficGenerator", package: "edgelog"), "BenchPostgres", "BenchSupport"],
            path: "Sources/ConsumerBench"
        ),
        // The whole pipeline on one machine: a log file growing at a set rate -> shipper -> broker
        // -> consumer -> three shards, read through the coordinator; sustained lines/s and
        // freshness (written -> visible), beside goaccess on the same file (issue 17).
        .executableTarget(
            name: "pipeline-bench",
            dependencies: [.product(name: "TrafficGenerator", package: "edgelog"), "BenchPostgres", "BenchSupport"],
            path: "Sources/PipelineBench"
        ),
    ]
)
