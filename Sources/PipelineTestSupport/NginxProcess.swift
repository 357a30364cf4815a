import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's real `nginx` as a child of the test, in a prefix directory of its own, in the
/// foreground (`daemon off`) with a master and workers, so it behaves as in production:
/// workers log each request when it ends, `nginx -s reopen` (SIGUSR1) reopens the logs after
/// a rename, `nginx -s quit` (SIGQUIT) drains and exits.
///
/// Layout of `prefix` (`/tmp/edgelog-nginx-XXXXXX`, mode 0755): `nginx.conf` (the test's),
/// `nginx.pid`, `error.log` (nginx's own), and whatever the configuration puts there (logs,
/// temp and cache directories, document roots). Relative paths in the configuration resolve
/// against `prefix` (`nginx -p`).
///
/// Root or not: nginx needs no privilege on ephemeral ports. Started by root, the master keeps
/// root and its workers run as `nobody` (nginx's default `user`), exactly as Debian's packaged
/// nginx runs its workers as `www-data`: the master creates the log, temp and cache paths and
/// hands them to the worker user, and on `reopen` it creates the new log file and chowns it.
/// Started by anyone else, master and workers run as that user.
///
/// Stop it in every outcome: `defer { nginx.remove() }` (kills the process group, removes the
/// prefix).
public final class NginxProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// `nginx -p`: the directory relative paths of the configuration resolve against.
    public let prefix: String
    public var configurationPath: String { "\(prefix)/nginx.conf" }
    public var errorLogPath: String { "\(prefix)/error.log" }
    /// Where the configuration must put the `pid` directive (`pid nginx.pid;`).
    public var pidPath: String { "\(prefix)/nginx.pid" }
    public let executable: String
    public private(set) var process: ManagedProcess?
    private let scratch: ScratchDirectory
    private let environment: [String: String]
    private var earlierLogs = ""

    /// Creates the prefix directory and writes the configuration; starts nothing.
    /// - Parameters:
    ///   - configuration: the whole `nginx.conf`, given the prefix directory's path. It must
    ///     say `pid nginx.pid;` (so `nginx -s` finds the master) and keep every path under the
    ///     prefix.
    ///   - timeZone: `TZ` for nginx (nginx keeps `TZ` for its workers and clears the rest), so
    ///     `$time_local` carries that zone's offset.
    public init(timeZone: String? = nil, configuration: (_ prefix: String) -> String) throws {
        executable = try ExternalTool.locate("nginx")
        ManagedProcess.reclaim(ScratchDirectory.abandoned(kind: "nginx"))
        scratch = try ScratchDirectory.create(kind: "nginx")
        prefix = scratch.path
        environment = timeZone.map { ["TZ": $0] } ?? [:]
        guard FileManager.default.createFile(atPath: configurationPath, contents: Data(configuration(prefix).utf8)) else {
            scratch.remove()
            throw Failure(description: "cannot write \(configurationPath)")
        }
    }

    deinit { remove() }

    /// `nginx -t`: whether the configuration is valid (nginx's own message when not).
    public func checkConfiguration() async throws {
        let result = try await ExternalTool.run(executable, commonArguments + ["-t"], environment: childEnvironment)
        guard result.status == 0 else {
            throw Failure(description: "nginx -t failed (\(result.status)):\n\(result.stderrText)")
        }
    }

    /// Starts the master in the foreground and waits until every port in `ports` accepts
    /// connections.
    public func start(listeningOn ports: [Int]) async throws {
        guard process == nil else { throw Failure(description: "nginx already running") }
        let process = try ManagedProcess.start(
            executable: executable,
            arguments: commonArguments + ["-g", "daemon off;"],
            environment: environment,
            workingDirectory: prefix
        )
        self.process = process
        for port in ports {
            do {
                try await process.waitUntilListening(port: port, timeout: .seconds(20))
            } catch {
                throw Failure(description: "\(error)\n--- nginx error.log ---\n\(errorLog())")
            }
        }
    }

    /// `nginx -s reopen`: the master reopens every log file by its configured path (the
    /// logrotate `postrotate` step after a rename). Returns when the signal was sent; nginx
    /// reopens asynchronously, so writes to the renamed file can follow for a moment.
    public func reopenLogs() async throws {
        try await signal("reopen")
    }

    /// `nginx -s quit` and waits for the master to exit: requests in progress finish and are
    /// logged first.
    @discardableResult
    public func quit(timeout: Duration = .seconds(20)) async throws -> ExitStatus? {
        guard let process else { return nil }
        try await signal("quit")
        let status = try await process.waitForExit(timeout: timeout)
        earlierLogs += process.logs()
        process.stop()
        self.process = nil
        return status
    }

    /// nginx's stdout/stderr and its error log, for failure messages.
    public func logs() -> String {
        earlierLogs + (process?.logs() ?? "") + "\n--- nginx error.log ---\n" + errorLog()
    }

    public func errorLog() -> String { ProcessSpawn.text(ofFile: errorLogPath) }

    /// Kills master and workers if they run and removes the prefix directory. Idempotent.
    public func remove() {
        process?.stop()
        process = nil
        scratch.remove()
    }

    private var commonArguments: [String] { ["-p", prefix + "/", "-c", configurationPath, "-e", errorLogPath] }

    private var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }

    private func signal(_ name: String) async throws {
        let result = try await ExternalTool.run(executable, commonArguments + ["-s", name], environment: childEnvironment)
        guard result.status == 0 else {
            throw Failure(description: "nginx -s \(name) failed (\(result.status)):\n\(result.stderrText)\n\(logs())")
        }
    }
}
