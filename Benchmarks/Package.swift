// swift-tools-version:6.0
// edgelog benchmarks: a separate package, so CI's test build never compiles it. It links the
// root package's libraries by path. Run from the repository root:
//
//   swift build -c release --product edgelog-broker && swift build -c release --product edgelog-shipper
//   swift run -c release --package-path Benchmarks shipper-bench
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
        // The shipper end to end (issue 6): a 2 M-line edge file to acknowledged in the broker,
        // both release executables as processes, beside `lz4 -1` piped over loopback to a sink.
        .executableTarget(
            name: "shipper-bench",
            dependencies: [.product(name: "TrafficGenerator", package: "edgelog")],
            path: "Sources/ShipperBench"
        ),
    ]
)
