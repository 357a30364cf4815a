import BenchPostgres
import BenchSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `consumer-bench`: the consumer end to end (issue 11), from a preloaded broker to committed
/// rows in sharded PostgreSQL, all release executables as processes on loopback.
///
/// 1. Preload (not timed): a fresh `edgelog-broker` (4 partitions) and `edgelog-shipper` on the
///    `edge` file until its `edgelog_shipper_records_acknowledged_total` reaches the line count;
///    the shipper is stopped, the broker's end offsets are read with `kcat -Q`.
/// 2. A throwaway PostgreSQL cluster (initdb, default settings unless `--pg-settings`).
/// 3. Per run: fresh databases `shard0..2` + `coordinator`, `edgelog db init`, `CHECKPOINT`;
///    then `edgelog-consumer` is started and timed until every shard's
///    `edgelog.consumer_progress.next_offset` equals the broker's end offset for every partition
///    (polled every 20 ms over one libpq connection per shard). Reported: lines/s = lines /
///    elapsed, the consumer's CPU (`/proc/<pid>/stat`), the server's CPU (postmaster, its live
///    children and the exited ones it waited for, minus the benchmark's own polling backends),
///    and the flush latency read from the consumer's `/metrics` histogram
///    `edgelog_consumer_flush_seconds`.
///
/// Options: `--lines N` (2000000), `--file PATH` (/tmp/edgelog-bench/edge-2M.log),
/// `--bin-dir DIR` (.build/release), `--pg-bin DIR` (/usr/lib/postgresql/15/bin),
/// `--partitions N` (4), `--runs R` (3), `--flush-interval D` and `--max-pending-rows N`
/// (passed to the consumer when given), `--consumer-args "..."` (more consumer flags, split at
/// spaces), `--pg-settings "k=v;k=v"` (server `-c` settings), `--timeline 1` (print the
/// consumer's `edgelog_consumer_records_total` every 0.1 s).
@main
struct ConsumerBench {
    static let topic = "edgelog.requests"
    static let shardCount = 3

    struct Run {
        var seconds: Double
        var fetchedSeconds: Double?
        var consumerCPU: Double
        var serverCPU: Double
        var consumerBackendsCPU: Double
        var consumerPeakRSS: Int
        var flushes: Histogram?
        var flushCount: Int
        var rowsWritten: Double
        var requestsStored: Int64
        var load: String
    }

    typealias Histogram = PrometheusHistogram

    static func main() throws {
        let options = try BenchOptions.parse(
            [
                "lines": "2000000", "file": "/tmp/edgelog-bench/edge-2M.log", "bin-dir": ".build/release",
                "pg-bin": "/usr/lib/postgresql/15/bin", "partitions": "4", "runs": "3", "flush-interval": "",
                "max-pending-rows": "", "pg-settings": "", "consumer-args": "", "timeline": "0",
            ], program: "consumer-bench")
        let lines = Int(options["lines"] ?? "") ?? 2_000_000
        let file = options["file"] ?? ""
        let runs = max(1, Int(options["runs"] ?? "") ?? 3)
        let binaries = options["bin-dir"] ?? ".build/release"
        let partitions = Int(options["partitions"] ?? "") ?? 4
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let bytes = try BenchmarkFile.prepare(path: file, lines: lines)
        say("input: \(lines) lines, \(bytes) bytes (\(file)); binaries: \(binaries)")

        let scratch = "/tmp/edgelog-consumer-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        chmod(scratch, 0o755)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // 1. Preload the broker.
        let brokerPort = Loopback.freePort()
        let brokerMetrics = Loopback.freePort()
        let broker = try ChildProcess(
            "\(binaries)/edgelog-broker",
            [
                "--data-dir", "\(scratch)/broker", "--port", "\(brokerPort)", "--metrics-port", "\(brokerMetrics)",
                "--default-partitions", "\(partitions)", "--log-level", "warning",
            ],
            log: "\(scratch)/broker.log"
        )
        defer { broker.terminate() }
        try waitFor(seconds: 30, "the broker") { Loopback.get(port: brokerMetrics, path: "/health") != nil }
        let preloadStart = ContinuousClock.now
        let shipperMetrics = Loopback.freePort()
        let shipper = try ChildProcess(
            "\(binaries)/edgelog-shipper",
            [
                "--files", "\(file):edge", "--broker", "127.0.0.1:\(brokerPort)", "--checkpoint-dir",
                "\(scratch)/checkpoints", "--metrics-port", "\(shipperMetrics)", "--log-level", "warning",
            ],
            log: "\(scratch)/shipper.log"
        )
        try waitFor(seconds: 600, "\(lines) records acknowledged") {
            guard let page = Loopback.get(port: shipperMetrics, path: "/metrics"),
                let acknowledged = Loopback.sample("edgelog_shipper_records_acknowledged_total", in: page)
            else { return false }
            return acknowledged >= Double(lines)
        }
        let preloadSeconds = Seconds.of(preloadStart.duration(to: .now))
        shipper.terminate()
        let endOffsets = try Self.endOffsets(broker: "127.0.0.1:\(brokerPort)", partitions: partitions)
        let records = endOffsets.reduce(0, +)
        say(
            String(
                format: "preload: %ld lines acknowledged in %.2f s; end offsets %@ (%ld records with the shipper's control records)",
                lines, preloadSeconds, endOffsets.map(String.init).joined(separator: ", "), Int(records)))

        // 2. PostgreSQL.
        let settings = (options["pg-settings"] ?? "").split(separator: ";").map(String.init).filter { !$0.isEmpty }
        let cluster = try LocalCluster(
            directory: "\(scratch)/pg", binaries: options["pg-bin"] ?? "/usr/lib/postgresql/15/bin", settings: settings)
        defer { cluster.stop() }
        let admin = try PQ(cluster.conninfo("postgres"))
        try admin.query("SET client_min_messages = warning")
        let shown = try admin.query(
            "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', "
                + "'wal_level', 'max_wal_size', 'checkpoint_timeout', 'full_page_writes', 'server_version') ORDER BY name")
        say("postgres on 127.0.0.1:\(cluster.port): " + shown.map { "\($0[0] ?? "")=\($0[1] ?? "")" }.joined(separator: " "))

        // 3. Runs.
        var results: [Run] = []
        for index in 1...runs {
            let run = try consumeOnce(
                cluster: cluster, admin: admin, binaries: binaries, brokerPort: brokerPort, endOffsets: endOffsets,
                lines: lines, options: options, scratch: scratch)
            results.append(run)
            say(
                String(
                    format:
                        "run %ld: %.2f s  %.0f lines/s  (all fetched at %@)  consumer CPU %.2f s  postgres CPU %.2f s (consumer's backends %.2f)  flushes %ld  flush p50 %.0f ms p99 %.0f ms mean %.0f ms  rows %.0f  load %@",
                    index, run.seconds, Double(lines) / run.seconds,
                    run.fetchedSeconds.map { String(format: "%.2f s", $0) } ?? "?", run.consumerCPU, run.serverCPU,
                    run.consumerBackendsCPU, run.flushCount, (run.flushes?.quantile(0.5) ?? .nan) * 1000,
                    (run.flushes?.quantile(0.99) ?? .nan) * 1000,
                    run.flushes.map { $0.count > 0 ? $0.sum / $0.count * 1000 : .nan } ?? .nan, run.rowsWritten,
                    run.load))
            guard run.requestsStored == Int64(lines) else {
                throw BenchmarkFile.Failure(
                    description: "run \(index): the shards hold \(run.requestsStored) requests, expected \(lines)")
            }
        }

        say("")
        say(
            "| run | load avg (1/5/15 min) | seconds | lines/s | all fetched at | consumer CPU s | PostgreSQL CPU s (of which consumer's backends) | flushes | flush p50 | flush p99 | flush mean | consumer peak RSS |"
        )
        say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (index, run) in results.enumerated() {
            let histogram = run.flushes
            say(
                String(
                    format: "| %ld | %@ | %.2f | %.2f M | %@ | %.2f | %.2f (%.2f) | %ld | %.0f ms %@ | %.0f ms %@ | %.0f ms | %.0f MB |",
                    index + 1, run.load, run.seconds, Double(lines) / run.seconds / 1e6,
                    run.fetchedSeconds.map { String(format: "%.2f s", $0) } ?? "?", run.consumerCPU, run.serverCPU,
                    run.consumerBackendsCPU, run.flushCount, (histogram?.quantile(0.5) ?? .nan) * 1000,
                    histogram?.bucketText(0.5) ?? "", (histogram?.quantile(0.99) ?? .nan) * 1000,
                    histogram?.bucketText(0.99) ?? "",
                    histogram.map { $0.count > 0 ? $0.sum / $0.count * 1000 : .nan } ?? .nan,
                    Double(run.consumerPeakRSS) / 1e6))
        }
        if let histogram = results.last?.flushes {
            say("last run's flush histogram (le seconds: cumulative count): "
                + histogram.buckets.map { "\($0.bound): \(Int($0.count))" }.joined(separator: ", "))
        }
    }

    static func consumeOnce(
        cluster: LocalCluster, admin: PQ, binaries: String, brokerPort: Int, endOffsets: [Int64], lines: Int,
        options: [String: String], scratch: String
    ) throws -> Run {
        let databases = (0..<shardCount).map { "shard\($0)" }
        for database in ["coordinator"] + databases {
            try admin.query("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            try admin.query("CREATE DATABASE \(database)")
        }
        let shards = databases.map { cluster.conninfo($0) }.joined(separator: ",")
        try LocalCluster.run(
            ["\(binaries)/edgelog", "db", "init", "--shards", shards, "--coordinator", cluster.conninfo("coordinator")])
        try admin.query("CHECKPOINT")
        let pollers = try databases.map { try PQ(cluster.conninfo($0)) }
        let pollerPIDs = Set(pollers.map(\.backendPID))
        let load = loadAverage()

        var arguments = [
            "--broker", "127.0.0.1:\(brokerPort)", "--shards", shards, "--log-level", "warning",
        ]
        if let interval = options["flush-interval"], !interval.isEmpty { arguments += ["--flush-interval", interval] }
        if let rows = options["max-pending-rows"], !rows.isEmpty { arguments += ["--max-pending-rows", rows] }
        arguments += (options["consumer-args"] ?? "").split(separator: " ").map(String.init)
        let metricsPort = Loopback.freePort()
        arguments += ["--metrics-port", "\(metricsPort)"]

        let serverBefore = cluster.serverCPU()
        let start = ContinuousClock.now
        let consumer = try ChildProcess("\(binaries)/edgelog-consumer", arguments, log: "\(scratch)/consumer.log")
        defer { consumer.terminate() }
        let totalRecords = Double(endOffsets.reduce(0, +))
        var fetchedSeconds: Double?
        let timeline = options["timeline"] == "1"
        var samples: [(seconds: Double, records: Double)] = []
        var consumerExited = false
        try waitFor(seconds: 600, "every shard's progress at the broker's end offsets") {
            if !consumer.process.isRunning {
                consumerExited = true
                return true
            }
            if fetchedSeconds == nil || timeline, let page = Loopback.get(port: metricsPort, path: "/metrics"),
                let fed = Loopback.sample("edgelog_consumer_records_total", in: page)
            {
                let now = Seconds.of(start.duration(to: .now))
                samples.append((now, fed))
                if fetchedSeconds == nil, fed >= totalRecords { fetchedSeconds = now }
            }
            for poller in pollers {
                guard
                    let rows = try? poller.query(
                        "SELECT partition, next_offset FROM edgelog.consumer_progress WHERE topic = '\(topic)'")
                else { return false }
                var progress: [Int: Int64] = [:]
                for row in rows {
                    if let partition = row[0].flatMap({ Int($0) }), let offset = row[1].flatMap({ Int64($0) }) {
                        progress[partition] = offset
                    }
                }
                for (partition, end) in endOffsets.enumerated() where progress[partition] != end { return false }
            }
            return true
        }
        if consumerExited {
            // Thrown, not exit(): the defers stop the broker and the PostgreSQL cluster.
            let log = (try? String(contentsOfFile: "\(scratch)/consumer.log", encoding: .utf8)) ?? ""
            throw BenchmarkFile.Failure(
                description: "the consumer exited (\(consumer.process.terminationStatus)); its log:\n\(log.suffix(4000))")
        }
        let seconds = Seconds.of(start.duration(to: .now))
        if timeline {
            // Records fed (the consumer's records_total) at each tenth of a second.
            var marks: [String] = []
            var next = 0.1
            for sample in samples where sample.seconds >= next {
                marks.append(String(format: "%.1fs:%.0fk", sample.seconds, sample.records / 1000))
                next = (sample.seconds * 10).rounded(.down) / 10 + 0.1
            }
            say("timeline (records fed): " + marks.joined(separator: " "))
        }
        let consumerCPU = consumer.cpuSeconds()
        let serverAfter = cluster.serverCPU()
        let polling = pollerPIDs.reduce(0.0) {
            $0 + (serverAfter.children[$1] ?? 0) - (serverBefore.children[$1] ?? 0)
        }
        let consumerBackends = try admin.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'edgelog-consumer'"
        ).compactMap { $0[0].flatMap { Int32($0) } }
        let consumerBackendsCPU = consumerBackends.reduce(0.0) { $0 + (serverAfter.children[$1] ?? 0) }
        // The flush histogram is recorded before a writer reports; the row counter when the
        // consumer's loop takes the report, which can wait for a held (long-poll) fetch of up to
        // 500 ms: give it a moment.
        usleep(1_200_000)
        let page = Loopback.get(port: metricsPort, path: "/metrics") ?? ""
        let flushes = PrometheusHistogram("edgelog_consumer_flush_seconds", in: page)
        let run = Run(
            seconds: seconds,
            fetchedSeconds: fetchedSeconds,
            consumerCPU: consumerCPU,
            serverCPU: serverAfter.total - serverBefore.total - polling,
            consumerBackendsCPU: consumerBackendsCPU,
            consumerPeakRSS: consumer.peakResidentBytes(),
            flushes: flushes,
            flushCount: Int(flushes?.count ?? 0),
            rowsWritten: Loopback.sample("edgelog_consumer_rows_written_total", in: page) ?? 0,
            requestsStored: 0,
            load: load
        )
        consumer.terminate()
        var stored: Int64 = 0
        for poller in pollers {
            let rows = try poller.query("SELECT coalesce(sum(requests), 0) FROM edgelog.site_minute")
            stored += rows.first?.first.flatMap { $0 }.flatMap { Int64($0) } ?? 0
        }
        var result = run
        result.requestsStored = stored
        return result
    }

    /// The broker's end offset of every partition (`kcat -Q`, timestamp -1 = end).
    static func endOffsets(broker: String, partitions: Int) throws -> [Int64] {
        var command = ["/usr/bin/kcat", "-Q", "-b", broker]
        for partition in 0..<partitions { command += ["-t", "\(topic):\(partition):-1"] }
        let output = try LocalCluster.run(command)
        var offsets = [Int64?](repeating: nil, count: partitions)
        // Lines like: "edgelog.requests [2] offset 500123"
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 4, words[0] == topic, words[2] == "offset",
                let partition = Int(words[1].dropFirst().dropLast()), partition < partitions,
                let offset = Int64(words[3])
            else { continue }
            offsets[partition] = offset
        }
        guard offsets.allSatisfy({ $0 != nil }) else {
            throw BenchmarkFile.Failure(description: "kcat -Q gave no offset for some partitions: \(output)")
        }
        return offsets.map { $0! }
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

/// Prints a line at once (stdout may be a pipe or a file, where `print` would buffer).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
