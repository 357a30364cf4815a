import BenchPostgres
import BenchSupport
import Foundation
import TrafficGenerator

#if canImport(Glibc)
    import Glibc
#endif

/// `pipeline-bench`: every process of the pipeline on this machine at once — a log file that
/// grows, `edgelog-shipper` tailing it, `edgelog-broker`, `edgelog-consumer`, three PostgreSQL
/// shards — read the way an analyst reads it, through the coordinator (issue 17).
///
/// 1. **Sustained throughput**: the 2 M-line benchmark file is appended to the tailed log in
///    one go; timed from the first byte written until the coordinator's `file_audit_totals`
///    counts every line (`counted_lines`: requests, junk and late lines alike).
/// 2. **Freshness**: lines stamped with the current time (`TrafficGenerator`, generated before
///    the phase starts) are appended at `--rate` lines/s in 50 ms chunks for `--seconds`; a
///    poller reads the coordinator's counted lines every 20 ms. A chunk's freshness is the
///    time from its `write` returning to the first poll that counts it: line written ->
///    visible through the coordinator.
/// 3. **goaccess** (`--goaccess PATH`, skipped if absent) over the same 2 M-line file with the
///    same format, to a JSON report, timed, after the pipeline is stopped.
///
/// Options: `--lines N` (2000000), `--file PATH` (/tmp/edgelog-bench/edge-2M.log), `--bin-dir DIR`
/// (.build/release), `--pg-bin DIR` (/usr/lib/postgresql/15/bin), `--partitions N` (4), `--rate N`
/// (100000), `--seconds S` (20), `--goaccess PATH` (/usr/bin/goaccess), `--poll-ms N` (20): how
/// often phase 1 asks the coordinator until 90 % of the lines are counted (then every 20 ms, so
/// the end is seen within 20 ms). Each ask is a postgres_fdw query to every shard, ~3 ms of
/// PostgreSQL CPU on the two cores the pipeline runs on.
/// `--pg-statements yes`: loads `pg_stat_statements` and prints, after phase 1, the statements
/// that took the shards' time (where PostgreSQL's CPU goes). `--backlog link`: phase 1's file
/// appears at the tailed path by a hard link and a rename (as a rotation's new file does)
/// instead of being written there: writing 430 MB into the page cache takes this process a
/// core for 1.5-3 s of the measured time, which nginx, writing line by line, spreads out on its
/// own side; phase 2 then writes into a fresh file renamed over it, so the benchmark file is
/// never appended to.
@main
struct PipelineBench {
    static let shardCount = 3

    static func main() throws {
        let options = try BenchOptions.parse(
            [
                "lines": "2000000", "file": "/tmp/edgelog-bench/edge-2M.log", "bin-dir": ".build/release",
                "pg-bin": "/usr/lib/postgresql/15/bin", "partitions": "4", "rate": "100000", "seconds": "20",
                "goaccess": "/usr/bin/goaccess", "poll-ms": "20", "pg-statements": "no", "backlog": "write",
            ], program: "pipeline-bench")
        let pollMillis = max(1, Int(options["poll-ms"] ?? "") ?? 20)
        let statements = options["pg-statements"] == "yes"
        let linkBacklog = options["backlog"] == "link"
        let lines = Int(options["lines"] ?? "") ?? 2_000_000
        let file = options["file"] ?? ""
        let binaries = options["bin-dir"] ?? ".build/release"
        let rate = max(1, Int(options["rate"] ?? "") ?? 100_000)
        let seconds = max(1, Int(options["seconds"] ?? "") ?? 20)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let bytes = try BenchmarkFile.prepare(path: file, lines: lines)
        let backlog = linkBacklog ? Data() : try Data(contentsOf: URL(fileURLWithPath: file))
        say("input: \(lines) lines, \(bytes) bytes (\(file)); binaries: \(binaries); load \(loadAverage())")

        let scratch = "/tmp/edgelog-pipeline-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: "\(scratch)/logs", withIntermediateDirectories: true)
        chmod(scratch, 0o755)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // PostgreSQL: three shards and the coordinator, schema by `edgelog db init`.
        let cluster = try LocalCluster(
            directory: "\(scratch)/pg", binaries: options["pg-bin"] ?? "/usr/lib/postgresql/15/bin",
            settings: statements ? ["shared_preload_libraries=pg_stat_statements"] : [])
        defer { cluster.stop() }
        let admin = try PQ(cluster.conninfo("postgres"))
        try admin.query("SET client_min_messages = warning")
        let databases = (0..<shardCount).map { "shard\($0)" }
        for database in ["coordinator"] + databases { try admin.query("CREATE DATABASE \(database)") }
        let shards = databases.map { cluster.conninfo($0) }.joined(separator: ",")
        try LocalCluster.run(
            ["\(binaries)/edgelog", "db", "init", "--shards", shards, "--coordinator", cluster.conninfo("coordinator")])
        let coordinator = try PQ(cluster.conninfo("coordinator"))
        if statements {
            for database in databases { try PQ(cluster.conninfo(database)).query("CREATE EXTENSION pg_stat_statements") }
        }

        // The three processes, started before the log has a line.
        let log = "\(scratch)/logs/access.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let brokerPort = Loopback.freePort()
        let brokerMetrics = Loopback.freePort()
        let broker = try ChildProcess(
            "\(binaries)/edgelog-broker",
            [
                "--data-dir", "\(scratch)/broker", "--port", "\(brokerPort)", "--metrics-port", "\(brokerMetrics)",
                "--default-partitions", options["partitions"] ?? "4", "--log-level", "warning",
            ],
            log: "\(scratch)/broker.log")
        defer { broker.terminate() }
        try waitFor(seconds: 30, "the broker") { Loopback.get(port: brokerMetrics, path: "/health") != nil }
        let consumer = try ChildProcess(
            "\(binaries)/edgelog-consumer",
            [
                "--broker", "127.0.0.1:\(brokerPort)", "--shards", shards, "--log-level", "warning",
                "--metrics-port", "\(Loopback.freePort())",
            ],
            log: "\(scratch)/consumer.log")
        defer { consumer.terminate() }
        let shipper = try ChildProcess(
            "\(binaries)/edgelog-shipper",
            [
                "--files", "\(log):edge", "--broker", "127.0.0.1:\(brokerPort)", "--checkpoint-dir",
                "\(scratch)/checkpoints", "--metrics-port", "\(Loopback.freePort())", "--log-level", "warning",
            ],
            log: "\(scratch)/shipper.log")
        defer { shipper.terminate() }
        let processes = [shipper, broker, consumer]
        // Let the consumer find its shards and the shipper its file before the clock starts.
        Thread.sleep(forTimeInterval: 2)
        guard processes.allSatisfy({ $0.process.isRunning }) else {
            throw BenchmarkFile.Failure(description: "a process exited at start; logs in \(scratch)")
        }

        // 1. Sustained throughput from a backlog.
        let cpuBefore = processes.map { $0.cpuSeconds() }
        let serverBefore = cluster.serverCPU().total
        var handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let start = ContinuousClock.now
        if linkBacklog {
            try replace(log, withLinkTo: file)
        } else {
            try handle.seekToEnd()
            try handle.write(contentsOf: backlog)
        }
        let written = Seconds.of(start.duration(to: .now))
        // Every `pollMillis` until 90 % are counted, then every 20 ms: few polls, and the end
        // seen within 20 ms.
        var polls = 0
        let deadline = ContinuousClock.now + .seconds(900)
        while processes.allSatisfy({ $0.process.isRunning }) {
            polls += 1
            let counted = (try? countedLines(coordinator)) ?? 0
            if counted >= Int64(lines) { break }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFile.Failure(description: "timed out waiting for \(lines) lines counted through the coordinator")
            }
            usleep(useconds_t((counted * 10 >= Int64(lines) * 9 ? 20 : pollMillis) * 1000))
        }
        guard processes.allSatisfy({ $0.process.isRunning }) else {
            throw BenchmarkFile.Failure(description: "a process exited; logs in \(scratch)")
        }
        let elapsed = Seconds.of(start.duration(to: .now))
        let cpu = zip(processes.map { $0.cpuSeconds() }, cpuBefore).map { $0 - $1 }
        let serverCPU = cluster.serverCPU().total - serverBefore
        say(
            String(
                format:
                    "sustained: %ld lines in %.2f s = %.0f lines/s end to end (file written in %.2f s; %ld coordinator polls, every %ld ms up to 90 %%); CPU s: shipper %.2f, broker %.2f, consumer %.2f, postgres %.2f; load %@",
                lines, elapsed, Double(lines) / elapsed, written, polls, pollMillis, cpu[0], cpu[1], cpu[2], serverCPU,
                loadAverage()))

        if statements {
            for database in databases {
                let rows = try PQ(cluster.conninfo(database)).query(
                    """
                    SELECT calls, round(total_exec_time)::bigint, rows, regexp_replace(left(query, 90), '\\s+', ' ', 'g')
                    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                    ORDER BY total_exec_time DESC LIMIT 6
                    """)
                say("\(database): calls, ms, rows, statement")
                for row in rows { say("  " + row.map { $0 ?? "NULL" }.joined(separator: " | ")) }
            }
        }

        if linkBacklog {
            // The tailed path is the benchmark file itself now: phase 2 writes into a new one.
            try handle.close()
            let fresh = "\(scratch)/logs/fresh.tmp"
            FileManager.default.createFile(atPath: fresh, contents: nil)
            guard rename(fresh, log) == 0 else {
                throw BenchmarkFile.Failure(description: "rename \(fresh) -> \(log): errno \(errno)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        }

        // 2. Freshness at a steady rate.
        var profile = TrafficProfile()
        profile.seed = 17
        profile.requestsPerSecond = rate
        let chunkMillis = 50
        let perChunk = max(1, rate * chunkMillis / 1000)
        let chunkCount = seconds * 1000 / chunkMillis
        profile.startTimeMs = Int64(Date().timeIntervalSince1970 * 1000) + 2_000
        var generator = try TrafficGenerator(profile: profile, format: "edge")
        var chunks: [[UInt8]] = []
        chunks.reserveCapacity(chunkCount)
        for _ in 0..<chunkCount {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(perChunk * 240)
            for _ in 0..<perChunk { generator.appendLine(to: &chunk) }
            chunks.append(chunk)
        }
        let baseline = try countedLines(coordinator)
        let poller = VisibilityPoller(conninfo: cluster.conninfo("coordinator"), baseline: baseline)
        poller.start()
        var writes: [(at: ContinuousClock.Instant, cumulative: Int64)] = []
        let phaseStart = ContinuousClock.now
        var cumulative: Int64 = 0
        for (index, chunk) in chunks.enumerated() {
            let due = phaseStart + .milliseconds(Int64(index * chunkMillis))
            let wait = ContinuousClock.now.duration(to: due)
            if wait > .zero { Thread.sleep(forTimeInterval: Seconds.of(wait)) }
            try handle.write(contentsOf: chunk)
            cumulative += Int64(perChunk)
            writes.append((ContinuousClock.now, cumulative))
        }
        let writing = Seconds.of(phaseStart.duration(to: .now))
        try waitFor(seconds: 120, "the freshness lines counted") { poller.latest >= cumulative }
        poller.stop()
        let observations = poller.observations
        var freshness: [Double] = []
        for write in writes {
            guard let seen = observations.first(where: { $0.visible >= write.cumulative && $0.at >= write.at }) else {
                continue
            }
            freshness.append(Seconds.of(write.at.duration(to: seen.at)))
        }
        freshness.sort()
        func percentile(_ q: Double) -> Double {
            freshness.isEmpty ? .nan : freshness[min(freshness.count - 1, Int((q * Double(freshness.count)).rounded(.up)) - 1)]
        }
        say(
            String(
                format:
                    "freshness: %ld lines at %ld lines/s (%ld chunks of %ld every %ld ms, written in %.2f s); written -> visible through the coordinator: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (polled every 20 ms, %ld polls); load %@",
                Int(cumulative), rate, chunkCount, perChunk, chunkMillis, writing, percentile(0.5) * 1000,
                percentile(0.9) * 1000, percentile(0.99) * 1000, (freshness.last ?? .nan) * 1000, observations.count,
                loadAverage()))
        try handle.close()
        for process in processes { process.terminate() }

        // 3. goaccess over the same 2 M-line file.
        let goaccess = options["goaccess"] ?? ""
        guard FileManager.default.isExecutableFile(atPath: goaccess) else {
            say("goaccess: not found at \(goaccess) (apt-get install goaccess); skipped")
            return
        }
        let goStart = ContinuousClock.now
        let goProcess = try ChildProcess(
            goaccess,
            [
                file, "--log-format", #"%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %v %T %C %^"#,
                "--date-format", "%d/%b/%Y", "--time-format", "%T", "--no-progress", "--no-global-config",
                "-o", "\(scratch)/goaccess.json",
            ],
            log: "\(scratch)/goaccess.log")
        goProcess.process.waitUntilExit()
        let goSeconds = Seconds.of(goStart.duration(to: .now))
        let goLog = (try? String(contentsOfFile: "\(scratch)/goaccess.log", encoding: .utf8)) ?? ""
        guard goProcess.process.terminationStatus == 0 else {
            throw BenchmarkFile.Failure(description: "goaccess failed: \(goLog.suffix(2000))")
        }
        say(
            String(
                format: "goaccess %@: %ld lines in %.2f s = %.0f lines/s (one process, one JSON report at the end)",
                goaccess, lines, goSeconds, Double(lines) / goSeconds))
    }

    /// Lines the consumer has committed, summed over every shard through the coordinator.
    /// Puts `source` at `path` as a new file, the way a rotation's new file appears: a hard
    /// link beside `path`, renamed over it (no byte copied).
    static func replace(_ path: String, withLinkTo source: String) throws {
        let staged = path + ".link.tmp"
        unlink(staged)
        guard link(source, staged) == 0 else {
            throw BenchmarkFile.Failure(description: "link \(source) -> \(staged): errno \(errno) (same file system?)")
        }
        guard rename(staged, path) == 0 else {
            throw BenchmarkFile.Failure(description: "rename \(staged) -> \(path): errno \(errno)")
        }
    }

    static func countedLines(_ coordinator: PQ) throws -> Int64 {
        let rows = try coordinator.query("SELECT coalesce(sum(counted_lines), 0) FROM file_audit_totals")
        return rows.first?.first.flatMap { $0 }.flatMap { Int64($0) } ?? 0
    }

    static func waitFor(seconds: Double, every millis: Int = 20, _ what: String, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFile.Failure(description: "timed out waiting for \(what)")
            }
            usleep(useconds_t(millis * 1000))
        }
    }
}

/// Reads the coordinator's counted lines every 20 ms on a thread of its own, recording when
/// each count was first seen (minus `baseline`).
final class VisibilityPoller: @unchecked Sendable {
    private let conninfo: String
    private let baseline: Int64
    private let lock = NSLock()
    private var recorded: [(at: ContinuousClock.Instant, visible: Int64)] = []
    private var stopping = false
    private var thread: Thread?

    init(conninfo: String, baseline: Int64) {
        self.conninfo = conninfo
        self.baseline = baseline
    }

    func start() {
        let thread = Thread { [self] in
            guard let connection = try? PQ(conninfo) else { return }
            while !lock.withLock({ stopping }) {
                if let count = try? PipelineBench.countedLines(connection) {
                    let now = ContinuousClock.now
                    lock.withLock { recorded.append((now, count - baseline)) }
                }
                usleep(20_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() { lock.withLock { stopping = true } }

    var observations: [(at: ContinuousClock.Instant, visible: Int64)] { lock.withLock { recorded } }

    var latest: Int64 { lock.withLock { recorded.last?.visible ?? 0 } }
}

/// Prints a line at once (stdout may be a pipe or a file, where `print` would buffer).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
