import BenchSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `shipper-bench`: the shipper end to end, a 2 M-line `edge` file to acknowledged in the
/// broker — both release executables as processes over loopback, timed from the shipper's
/// start until its `edgelog_shipper_records_acknowledged_total` reaches the line count —
/// beside `lz4 -1` of the same file piped over a loopback socket to a sink, in the same run.
///
/// Options: `--lines N` (2000000), `--file PATH` (/tmp/edgelog-bench/edge-2M.log),
/// `--bin-dir DIR` (.build/release), `--partitions N` (4), `--repetitions R` (2, best kept),
/// `--batch-bytes`, `--linger`, `--memory-limit` (passed to the shipper).
@main
struct ShipperBench {
    struct Run {
        var seconds: Double
        var shipperCPU: Double
        var brokerCPU: Double
        var shipperPeakRSS: Int
        /// Bytes of the broker's segment files once every line is acknowledged: the record
        /// batches as sent (headers and LZ4-compressed records), the control records included.
        var storedBytes: Int
    }

    static func main() throws {
        let options = try BenchOptions.parse(
            [
                "lines": "2000000", "file": "/tmp/edgelog-bench/edge-2M.log", "bin-dir": ".build/release",
                "partitions": "4",
                "repetitions": "2", "batch-bytes": "1MiB", "linger": "100ms", "memory-limit": "64MiB",
                "shipper-args": "",
            ], program: "shipper-bench")
        let lines = Int(options["lines"] ?? "") ?? 2_000_000
        let file = options["file"] ?? ""
        let repetitions = max(1, Int(options["repetitions"] ?? "") ?? 2)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path,
            withIntermediateDirectories: true
        )
        let bytes = try BenchmarkFile.prepare(path: file, lines: lines)
        let binaries = options["bin-dir"] ?? ".build/release"
        print("input: \(lines) lines, \(bytes) bytes (\(file)); binaries: \(binaries)")

        var best: Run?
        var reference: LoopbackSink.Result?
        for repetition in 1...repetitions {
            let run = try shipOnce(file: file, lines: lines, binaries: binaries, options: options)
            print(
                String(
                    format:
                        "run %ld: %.2f s  %.0f lines/s  %.1f MB/s  shipper CPU %.2f s  broker CPU %.2f s  peak RSS %.1f MB"
                        + "  stored %ld bytes (%.1f B/line)",
                    repetition,
                    run.seconds,
                    Double(lines) / run.seconds,
                    Double(bytes) / run.seconds / 1e6,
                    run.shipperCPU,
                    run.brokerCPU,
                    Double(run.shipperPeakRSS) / 1e6,
                    run.storedBytes,
                    Double(run.storedBytes) / Double(lines)
                )
            )
            if best.map({ run.seconds < $0.seconds }) ?? true { best = run }
            let lz4 = try LoopbackSink.lz4OverLoopback(file: file)
            print(
                String(
                    format: "      lz4 -1 | loopback: %.2f s  %.1f MB/s  (%ld bytes compressed)",
                    lz4.seconds,
                    Double(bytes) / lz4.seconds / 1e6,
                    lz4.bytes
                )
            )
            if reference.map({ lz4.seconds < $0.seconds }) ?? true { reference = lz4 }
        }
        guard let best, let reference else { return }
        print("")
        print("| path | seconds | lines/s | MB/s (raw log) | CPU s |")
        print("|---|---|---|---|---|")
        print(
            String(
                format:
                    "| shipper → broker, acknowledged (%@ partitions) | %.2f | %.0f | %.1f | shipper %.2f + broker %.2f |",
                options["partitions"] ?? "4",
                best.seconds,
                Double(lines) / best.seconds,
                Double(bytes) / best.seconds / 1e6,
                best.shipperCPU,
                best.brokerCPU
            )
        )
        print(
            String(
                format: "| reference: lz4 -1 → loopback socket → sink | %.2f | %.0f | %.1f | |",
                reference.seconds,
                Double(lines) / reference.seconds,
                Double(bytes) / reference.seconds / 1e6
            )
        )
        print(String(format: "shipper peak RSS %.1f MB", Double(best.shipperPeakRSS) / 1e6))
    }

    static func shipOnce(file: String, lines: Int, binaries: String, options: [String: String]) throws -> Run {
        let scratch = "/tmp/edgelog-shipper-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let brokerPort = Loopback.freePort()
        let brokerMetrics = Loopback.freePort()
        let broker = try ChildProcess(
            "\(binaries)/edgelog-broker",
            [
                "--data-dir", "\(scratch)/broker", "--port", "\(brokerPort)", "--metrics-port", "\(brokerMetrics)",
                "--default-partitions", options["partitions"] ?? "4", "--log-level", "warning",
            ],
            log: "\(scratch)/broker.log"
        )
        defer { broker.terminate() }
        try waitFor(seconds: 30, "the broker") { Loopback.get(port: brokerMetrics, path: "/health") != nil }

        let shipperMetrics = Loopback.freePort()
        let start = ContinuousClock.now
        let shipper = try ChildProcess(
            "\(binaries)/edgelog-shipper",
            [
                "--files", "\(file):edge", "--broker", "127.0.0.1:\(brokerPort)", "--checkpoint-dir",
                "\(scratch)/checkpoints",
                "--metrics-port", "\(shipperMetrics)", "--log-level", "warning", "--batch-bytes",
                options["batch-bytes"] ?? "1MiB",
                "--linger", options["linger"] ?? "100ms", "--memory-limit", options["memory-limit"] ?? "64MiB",
            ] + (options["shipper-args"] ?? "").split(separator: " ").map(String.init),
            log: "\(scratch)/shipper.log"
        )
        defer { shipper.terminate() }
        try waitFor(seconds: 600, "\(lines) records acknowledged") {
            guard let page = Loopback.get(port: shipperMetrics, path: "/metrics"),
                let acknowledged = Loopback.sample("edgelog_shipper_records_acknowledged_total", in: page)
            else { return false }
            return acknowledged >= Double(lines)
        }
        let elapsed = Seconds.of(start.duration(to: .now))
        return Run(
            seconds: elapsed,
            shipperCPU: shipper.cpuSeconds(),
            brokerCPU: broker.cpuSeconds(),
            shipperPeakRSS: shipper.peakResidentBytes(),
            storedBytes: segmentBytes(under: "\(scratch)/broker")
        )
    }

    /// Total size of the `.log` segment files under `directory`.
    static func segmentBytes(under directory: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            guard name.hasSuffix(".log") else { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            total += (attributes?[.size] as? NSNumber)?.intValue ?? 0
        }
        return total
    }

    static func waitFor(seconds: Double, _ what: String, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFile.Failure(description: "timed out waiting for \(what)")
            }
            usleep(20_000)
        }
    }
}
