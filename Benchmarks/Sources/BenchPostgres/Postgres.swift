import BenchSupport
import BenchLibPQ
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking libpq connection: text queries, text results.
public final class PQ {
    private let connection: OpaquePointer

    public init(_ conninfo: String) throws {
        guard let connection = PQconnectdb(conninfo) else {
            throw BenchmarkFile.Failure(description: "PQconnectdb returned nil")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw BenchmarkFile.Failure(description: "cannot connect (\(conninfo)): \(message)")
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs `sql` and returns its rows (NULL as nil).
    @discardableResult
    public func query(_ sql: String) throws -> [[String?]] {
        guard let result = PQexec(connection, sql) else {
            throw BenchmarkFile.Failure(description: "PQexec: \(String(cString: PQerrorMessage(connection)))")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw BenchmarkFile.Failure(
                description: "\(sql.prefix(80)): \(String(cString: PQresultErrorMessage(result)))")
        }
        var rows: [[String?]] = []
        for row in 0..<PQntuples(result) {
            rows.append(
                (0..<PQnfields(result)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        return rows
    }

    /// The server process serving this connection.
    public var backendPID: Int32 { PQbackendPID(connection) }
}

/// A throwaway PostgreSQL cluster under the benchmark's scratch directory: `initdb` (trust auth,
/// no sync of the data directory at creation), started with `pg_ctl` on a loopback port. Run as
/// the `postgres` user when the benchmark runs as root (the server refuses root).
public final class LocalCluster {
    public let directory: String
    public let port: Int
    public let binaries: String
    private let asPostgres: [String]

    public init(directory: String, binaries: String, settings: [String]) throws {
        self.directory = directory
        self.binaries = binaries
        self.port = Loopback.freePort()
        asPostgres = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            try Self.run(["/bin/chown", "postgres", directory])
        }
        try Self.run(
            asPostgres + [
                "\(binaries)/initdb", "-D", "\(directory)/data", "-A", "trust", "-U", "postgres", "--no-sync",
                "-E", "UTF8", "--locale=C",
            ])
        let options = (["-p \(port)", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=\(directory)"]
            + settings.map { "-c \($0)" }).joined(separator: " ")
        try Self.run(
            asPostgres + [
                "\(binaries)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/postgres.log", "-w", "-o",
                options, "start",
            ])
    }

    public func conninfo(_ database: String) -> String {
        "host=127.0.0.1 port=\(port) user=postgres dbname=\(database)"
    }

    /// The postmaster's pid (first line of `postmaster.pid`).
    public var postmasterPID: Int32 {
        let text = (try? String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8)) ?? ""
        return Int32(text.split(separator: "\n").first ?? "") ?? 0
    }

    /// CPU seconds of the whole server so far: the postmaster, its live children (backends,
    /// checkpointer, WAL writer, autovacuum, ...) and the children that already exited (the
    /// postmaster waits for them, so they are in its cutime/cstime). Per live child too, so
    /// that the benchmark's own polling backends can be taken out.
    public func serverCPU() -> (total: Double, children: [Int32: Double]) {
        let postmaster = postmasterPID
        guard let own = ProcStat.read(postmaster) else { return (0, [:]) }
        let children = ProcStat.children(of: postmaster).mapValues(\.cpuSeconds)
        return (own.cpuSeconds + own.waitedChildrenSeconds + children.values.reduce(0, +), children)
    }

    public func stop() {
        _ = try? Self.run(asPostgres + ["\(binaries)/pg_ctl", "-D", "\(directory)/data", "-m", "fast", "-w", "stop"])
    }

    /// Runs a command to its end (`posix_spawn` + `waitpid`); throws on a non-zero exit, with
    /// its output. Not Foundation's `Process`: it notices a child's exit through a descriptor
    /// the child inherits, and `pg_ctl start` leaves the server running with it, so
    /// `waitUntilExit` never returned.
    @discardableResult
    public static func run(_ command: [String]) throws -> String {
        let path = "/tmp/edgelog-bench-command-\(getpid()).out"
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw BenchmarkFile.Failure(description: "cannot start \(command[0]): error \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchmarkFile.Failure(
                description: "\(command.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
        return text
    }
}

/// A Prometheus histogram read from a `/metrics` page (swift-prometheus renders a swift-metrics
/// `Timer` as one: cumulative `_bucket{le="..."}` counts in seconds, `_sum`, `_count`).
public struct PrometheusHistogram {
    /// (upper bound, cumulative count), ascending, `+Inf` last.
    public var buckets: [(bound: Double, count: Double)] = []
    public var sum = 0.0
    public var count = 0.0

    public init?(_ name: String, in page: String) {
        for line in page.split(separator: "\n") {
            if line.hasPrefix(name + "_bucket{") {
                guard let le = line.range(of: "le=\""), let close = line[le.upperBound...].firstIndex(of: "\""),
                    let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { continue }
                let boundText = line[le.upperBound..<close]
                let bound = boundText == "+Inf" ? Double.infinity : Double(boundText) ?? .nan
                buckets.append((bound, value))
            } else if line.hasPrefix(name + "_sum") {
                sum = Double(line.split(separator: " ").last ?? "") ?? 0
            } else if line.hasPrefix(name + "_count") {
                count = Double(line.split(separator: " ").last ?? "") ?? 0
            }
        }
        guard !buckets.isEmpty else { return nil }
        buckets.sort { $0.bound < $1.bound }
    }

    /// The q-quantile as Prometheus's `histogram_quantile` computes it: find the bucket where
    /// the cumulative count reaches q × count and interpolate linearly inside it (lower bound 0
    /// for the first bucket). In the `+Inf` bucket the largest finite bound is returned.
    public func quantile(_ q: Double) -> Double {
        guard let total = buckets.last?.count, total > 0 else { return .nan }
        let rank = q * total
        var lower = 0.0
        var below = 0.0
        for (bound, cumulative) in buckets {
            if cumulative >= rank {
                if bound.isInfinite { return lower }
                let inBucket = cumulative - below
                return inBucket > 0 ? lower + (bound - lower) * (rank - below) / inBucket : bound
            }
            lower = bound
            below = cumulative
        }
        return lower
    }

    /// The bucket holding the q-quantile, as "(lower, upper]" in milliseconds.
    public func bucketText(_ q: Double) -> String {
        guard let total = buckets.last?.count, total > 0 else { return "-" }
        var lower = 0.0
        for (bound, cumulative) in buckets {
            if cumulative >= q * total {
                return bound.isInfinite
                    ? "> \(Int(lower * 1000)) ms" : "(\(Int(lower * 1000)), \(Int(bound * 1000))] ms"
            }
            lower = bound
        }
        return "-"
    }
}
