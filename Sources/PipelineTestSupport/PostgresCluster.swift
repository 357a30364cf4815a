import Synchronization
import Foundation
import Logging
import PostgresSink

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for one test suite: its own data directory under /tmp, its own
/// ephemeral port on 127.0.0.1, trust authentication, and durability switched off for speed.
///
/// Layout of `directory` (`/tmp/edgelog-pg-XXXXXX`, owned by `postgres` when we are root):
/// `data/` (the cluster), `postgres.log` (server log), `owner` (see `ScratchDirectory`), and the
/// socket `.s.PGSQL.<port>`. Trust auth and `fsync=off` make this unfit for anything but tests.
///
/// Always stop what you start, also when the test fails. Prefer a scope that does it for you:
///
///     @Suite(.serialized, .postgresCluster) struct MyTests {        // one cluster per suite
///         @Test func f() throws { let cluster = try #require(PostgresCluster.current) ... }
///     }
///     try await withPostgresCluster { cluster in ... }              // one cluster per call
///
/// or, by hand, `let cluster = try await PostgresCluster.start(); defer { cluster.stop() }`.
/// Starting, pausing and resuming wait for `initdb`/`pg_ctl` (seconds) on a thread of their own
/// (`OffPool`), so they are `async`; `stop()` stays synchronous for `defer` and `deinit`, and
/// `stopped()` is its off-pool form for async code.
/// A cluster that is dropped without `stop()` stops in `deinit`, and whatever is still running
/// at normal process exit is stopped by an exit hook; leftovers of a crashed test run are
/// stopped and removed by the next run.
public final class PostgresCluster: Sendable, HarnessResource {
    /// How to set up a cluster. Every field has a default suited to tests.
    public struct Configuration: Sendable {
        /// Extra `postgresql.conf` settings, written after (and so overriding) the harness's
        /// own. Values are raw configuration syntax: quote strings yourself (`"'hll'"`).
        public var settings: [String: String]
        /// Fresh ports to try when the chosen port was taken between picking and binding.
        public var startAttempts: Int
        /// Seconds `pg_ctl start -w` waits for the server to accept connections.
        public var startTimeoutSeconds: Int

        public init(settings: [String: String] = [:], startAttempts: Int = 5, startTimeoutSeconds: Int = 60) {
            self.settings = settings
            self.startAttempts = startAttempts
            self.startTimeoutSeconds = startTimeoutSeconds
        }
    }

    /// A step of setting up or using the cluster failed; carries the tool output and the
    /// server log's tail, so a red CI run says why without anyone logging in.
    public struct Failure: Error, CustomStringConvertible {
        public var step: String
        public var status: ExitStatus?
        public var output: String
        public var logTail: String

        public var description: String {
            var text = "PostgresCluster: \(step) failed"
            if let status { text += " (\(status))" }
            if !output.isEmpty { text += "\n--- output ---\n\(output)" }
            if !logTail.isEmpty { text += "\n--- server log (tail) ---\n\(logTail)" }
            return text
        }
    }

    /// The cluster of the enclosing `.postgresCluster` trait scope, if any.
    @TaskLocal public static var current: PostgresCluster?

    public let installation: PostgresInstallation
    /// Root of everything this cluster owns; removed by `stop()`.
    public let directory: String
    /// TCP port on 127.0.0.1.
    public let port: Int
    public var dataDirectory: String { "\(directory)/data" }
    public var logPath: String { "\(directory)/postgres.log" }

    private let scratch: ScratchDirectory
    private let stopped = Mutex(false)

    private init(installation: PostgresInstallation, scratch: ScratchDirectory, port: Int) {
        self.installation = installation
        self.scratch = scratch
        self.directory = scratch.path
        self.port = port
    }

    deinit { stop() }

    // MARK: - Starting

    /// Creates, configures and starts a cluster; returns once it accepts connections.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> PostgresCluster {
        try await OffPool.run { try startBlocking(configuration) }
    }

    private static func startBlocking(_ configuration: Configuration) throws -> PostgresCluster {
        let installation = try PostgresInstallation.find()
        reclaimAbandoned(using: installation)
        let scratch = try ScratchDirectory.create(kind: "pg")
        do {
            try installation.giveToServer(scratch.path)
            let data = "\(scratch.path)/data"
            let initdb = try runTool(
                installation,
                "initdb",
                [
                    "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C",
                    "--no-instructions",
                ],
                in: scratch.path
            )
            guard initdb.status == .exited(0) else {
                throw Failure(step: "initdb", status: initdb.status, output: initdb.output, logTail: "")
            }
            try appendSettings(configuration.settings, socketDirectory: scratch.path, to: "\(data)/postgresql.conf")
            let port = try startServer(installation, scratch: scratch, configuration: configuration)
            let cluster = PostgresCluster(installation: installation, scratch: scratch, port: port)
            LiveResources.register(cluster)
            return cluster
        } catch {
            scratch.remove()
            throw error
        }
    }

    /// Settings for speed and isolation; `fsync` and `full_page_writes` off trade crash safety
    /// against an OS crash (irrelevant for a throwaway cluster) for much faster tests.
    /// `synchronous_commit` stays on: with fsync off it costs only a `write` of the WAL before
    /// a commit returns, and `pause()` stops the server with `-m immediate`, which with it off
    /// lost commits already acknowledged to the consumer (up to the WAL writer's 200 ms) — a
    /// loss a real server never has, which the consumer rightly took for another consumer's
    /// move and fenced the partitions (seen once in a full run of ConsumerFaultTests).
    private static func appendSettings(_ extra: [String: String], socketDirectory: String, to file: String) throws {
        var lines = [
            "",
            "# edgelog test harness",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = '\(socketDirectory)'",
            "fsync = off",
            "full_page_writes = off",
            "shared_buffers = 16MB",
            "max_wal_size = 256MB",
        ]
        lines += extra.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        guard let handle = FileHandle(forWritingAtPath: file) else {
            throw Failure(step: "opening \(file)", status: nil, output: "", logTail: "")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// `pg_ctl start -w` on a fresh port, retried on a new port if the bind lost a race.
    private static func startServer(
        _ installation: PostgresInstallation,
        scratch: ScratchDirectory,
        configuration: Configuration
    ) throws -> Int {
        let data = "\(scratch.path)/data"
        let log = "\(scratch.path)/postgres.log"
        var failure = Failure(step: "pg_ctl start", status: nil, output: "", logTail: "")
        for _ in 0..<max(1, configuration.startAttempts) {
            let port = try FreePort.next()
            let started = try runTool(
                installation,
                "pg_ctl",
                [
                    "-D", data, "-l", log, "-w", "-t", "\(configuration.startTimeoutSeconds)", "-o", "-p \(port)",
                    "start",
                ],
                in: scratch.path
            )
            if started.status == .exited(0) { return port }
            // A timed-out start may leave a server coming up; make sure nothing lingers.
            _ = try? runTool(installation, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], in: scratch.path)
            let serverLog = ProcessSpawn.text(ofFile: log)
            failure = Failure(
                step: "pg_ctl start on port \(port)",
                status: started.status,
                output: started.output,
                logTail: ProcessSpawn.tail(serverLog)
            )
            let lostRace = serverLog.contains("could not bind") || serverLog.contains("Address already in use")
            if !lostRace { break }
        }
        throw failure
    }

    /// Runs a server tool as the server account and returns its status and output.
    private static func runTool(
        _ installation: PostgresInstallation,
        _ tool: String,
        _ arguments: [String],
        in directory: String
    ) throws -> (status: ExitStatus, output: String) {
        let outputPath = "\(directory)/\(tool).out"
        try? FileManager.default.removeItem(atPath: outputPath)
        let status = try installation.run(tool, arguments, in: directory, outputPath: outputPath)
        let output = ProcessSpawn.text(ofFile: outputPath)
        try? FileManager.default.removeItem(atPath: outputPath)
        return (status, output)
    }

    private static let reclaimed = Mutex(false)

    /// Once per test process: stops and removes clusters left by test processes that died.
    private static func reclaimAbandoned(using installation: PostgresInstallation) {
        let first = reclaimed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        reclaim(ScratchDirectory.abandoned(kind: "pg"), using: installation)
    }

    /// Stops the server in each directory (if one runs) and removes the directory.
    static func reclaim(_ directories: [ScratchDirectory], using installation: PostgresInstallation) {
        for directory in directories {
            let data = "\(directory.path)/data"
            if FileManager.default.fileExists(atPath: "\(data)/postmaster.pid") {
                _ = try? runTool(
                    installation,
                    "pg_ctl",
                    ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                    in: directory.path
                )
            }
            directory.remove()
        }
    }

    // MARK: - Stopping

    /// `stop()` on a thread of its own, for async code: `pg_ctl stop` takes a moment.
    public func stopped() async {
        await OffPool.run { self.stop() }
    }

    /// Stops the server at once (`pg_ctl -m immediate`: no checkpoint, nothing to keep) and
    /// removes `directory`. Idempotent; afterwards `port` no longer accepts connections.
    public func stop() {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LiveResources.unregister(self)
        let postmaster = postmasterPID()
        let result = try? Self.runTool(
            installation,
            "pg_ctl",
            ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"],
            in: directory
        )
        if result?.status != .exited(0), let postmaster, postmaster > 0 {
            // pg_ctl could not stop it: take the postmaster down; its backends exit when it dies.
            kill(postmaster, SIGKILL)
        }
        scratch.remove()
    }

    /// Stops the server at once (`pg_ctl -m immediate`, as a crash would) but keeps its data
    /// directory, so `resume()` starts it again on the same port with everything committed.
    /// For outage tests: clients see connections refused meanwhile.
    public func pause() async throws {
        try await OffPool.run { try self.pauseBlocking() }
    }

    private func pauseBlocking() throws {
        let result = try Self.runTool(
            installation, "pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], in: directory)
        guard result.status == .exited(0) else {
            throw Failure(step: "pg_ctl stop (pause)", status: result.status, output: result.output, logTail: "")
        }
    }

    /// Starts a paused server again on its port (crash recovery replays the WAL).
    public func resume() async throws {
        try await OffPool.run { try self.resumeBlocking() }
    }

    private func resumeBlocking() throws {
        let result = try Self.runTool(
            installation,
            "pg_ctl",
            ["-D", dataDirectory, "-l", logPath, "-w", "-t", "60", "-o", "-p \(port)", "start"],
            in: directory
        )
        guard result.status == .exited(0) else {
            throw Failure(
                step: "pg_ctl start (resume) on port \(port)", status: result.status, output: result.output,
                logTail: ProcessSpawn.tail(logContents()))
        }
    }

    /// Whether `stop()` has run.
    public var isStopped: Bool { stopped.withLock { $0 } }

    /// First line of `postmaster.pid`.
    private func postmasterPID() -> pid_t? {
        let text = ProcessSpawn.text(ofFile: "\(dataDirectory)/postmaster.pid")
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    // MARK: - Using

    /// libpq connection string for `database` over TCP:
    /// `host=127.0.0.1 port=P user=postgres dbname=D` (D quoted when it is not a plain word).
    public func conninfo(database: String = "postgres") -> String {
        "host=127.0.0.1 port=\(port) user=postgres dbname=\(Self.conninfoValue(database))"
    }

    /// A connection to `database` as the superuser `postgres`.
    public func connect(database: String = "postgres", logger: Logger = PGConnection.discardingLogger) throws
        -> PGConnection
    {
        try PGConnection(conninfo: conninfo(database: database), logger: logger)
    }

    /// `CREATE DATABASE`, with the name quoted as an identifier (any name PostgreSQL accepts).
    /// Runs off the cooperative pool: copying the template takes a moment on a busy machine.
    public func createDatabase(_ name: String) async throws {
        try await OffPool.run {
            let connection = try self.connect()
            try connection.execute("CREATE DATABASE \(try SQLIdentifier.quoted(name))")
        }
    }

    /// The whole server log so far, for failure messages.
    public func logContents() -> String {
        ProcessSpawn.text(ofFile: logPath)
    }

    /// A conninfo value: bare if it is a plain word, else single-quoted with `\` and `'` escaped.
    static func conninfoValue(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x5f
            }
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }
}

/// Runs `body` with a fresh cluster and always stops it, also when `body` throws. Starting and
/// stopping wait off the cooperative pool.
public func withPostgresCluster<T>(
    _ configuration: PostgresCluster.Configuration = PostgresCluster.Configuration(),
    _ body: (PostgresCluster) async throws -> T
) async throws -> T {
    let cluster = try await PostgresCluster.start(configuration)
    do {
        let result = try await body(cluster)
        await cluster.stopped()
        return result
    } catch {
        await cluster.stopped()
        throw error
    }
}
