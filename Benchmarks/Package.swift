// swift-tools-version:6.0
// edgelog benchmarks: a separate package, so CI's test build never compiles it. It links the
// root package's libraries by path. Run from the repository root:
//
//   swift run -c release --package-path Benchmarks edgelog-bench
//
// (see BENCHMARKS.md for the numbers and what each stage measures).
import PackageDescription

let package = Package(
    name: "edgelog-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "edgelog", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "edgelog-bench",
            dependencies: [
                .product(name: "NginxLog", package: "edgelog"),
                .product(name: "AccessRecord", package: "edgelog"),
                .product(name: "RequestEncoding", package: "edgelog"),
                .product(name: "TrafficGenerator", package: "edgelog"),
                .product(name: "LZ4Frame", package: "edgelog"),
            ],
            path: "Sources/EdgelogBench"
        ),
    ]
)
