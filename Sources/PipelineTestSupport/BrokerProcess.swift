import Foundation

/// The `edgelog-broker` executable running as a child process on free loopback ports, with a
/// data directory that outlives restarts: a test can stop it (gracefully or with SIGKILL),
/// tamper with the files, and `start()` again on the same data and the same ports.
///
/// The executable is found by path (`BuiltExecutable.path(named:)`), so this target does not
/// link BrokerCore. Not `Sendable`: one test drives it from one task. Stop it in every outcome
/// with `defer { broker.remove() }`, which also deletes the data directory.
public final class BrokerProcess {
    /// The broker's `--data-dir`; kept across restarts, removed by `remove()`.
    public let dataDirectory: String
    /// The Kafka listener port on 127.0.0.1 (`--port`).
    public let port: Int
    /// The `/health` and `/metrics` port on 127.0.0.1 (`--metrics-port`).
    public let metricsPort: Int
    /// Flags added after the ones this type sets (data directory, ports, shutdown timeout).
    /// Settable before `start()`: several brokers of one cluster map each need the others' ports.
    public var extraArguments: [String]
    /// The running broker, `nil` before `start()` and after `terminate()`, `kill9()`, `remove()`.
    public private(set) var process: ManagedProcess?
    /// Logs of runs that ended (kept because stopping a `ManagedProcess` deletes its files).
    private var earlierLogs = ""

    /// Picks two free ports; starts nothing.
    /// - Parameters:
    ///   - dataDirectory: default is a fresh directory under the temporary directory.
    ///   - partitions: when given, passed as `--default-partitions` (before `extraArguments`).
    ///   - extraArguments: further broker flags.
    public init(dataDirectory: String? = nil, partitions: Int? = nil, extraArguments: [String] = []) throws {
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-broker-test-\(UUID().uuidString)").path
        self.port = try FreePort.redialable()
        self.metricsPort = try FreePort.next()
        self.extraArguments = (partitions.map { ["--default-partitions", String($0)] } ?? []) + extraArguments
    }

    /// `host:port` of the Kafka listener, as clients and kcat take it.
    public var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts the broker (again, on the same data directory and ports) and waits until `/health`
    /// answers (which the broker only serves once its Kafka listener is bound) and the Kafka
    /// port accepts connections.
    /// - Throws: `BuiltExecutable.NotBuilt`, or `ManagedProcess.Failure` with the logs.
    @discardableResult
    public func start() async throws -> ManagedProcess {
        let executable = try BuiltExecutable.path(named: "edgelog-broker")
        let process = try ManagedProcess.start(
            executable: executable,
            arguments: [
                "--data-dir", dataDirectory, "--port", String(port), "--metrics-port", String(metricsPort),
                "--shutdown-timeout", "10s",
            ] + extraArguments
        )
        self.process = process
        try await process.waitUntilHTTPHealthy(port: metricsPort, timeout: .seconds(30))
        try await process.waitUntilListening(port: port, timeout: .seconds(10))
        return process
    }

    /// SIGTERM (the graceful-shutdown path) and wait for the exit status; `nil` if not running.
    @discardableResult
    public func terminate() async throws -> ExitStatus? {
        guard let process else { return nil }
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(20))
        finish(process)
        return status
    }

    /// SIGKILL: a crash as far as the broker can tell. Returns once the process is reaped.
    public func kill9() async throws {
        guard let process else { return }
        process.kill9()
        _ = try await process.waitForExit(timeout: .seconds(10))
        finish(process)
    }

    /// The broker's `/metrics`, parsed.
    public func metrics() async throws -> PrometheusText {
        try await PrometheusText.scrape(port: metricsPort)
    }

    /// stdout and stderr of every run so far (ended runs first), for failure messages.
    public func logs() -> String { earlierLogs + (process?.logs() ?? "") }

    /// Stops the process if it runs and removes the data directory. Idempotent.
    public func remove() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs kcat against this broker (`-b` is added).
    public func kcat(_ arguments: [String], stdin: Data = Data()) async throws -> ExternalTool.Result {
        try await ExternalTool.run("kcat", ["-b", bootstrap] + arguments, stdin: stdin)
    }

    private func finish(_ process: ManagedProcess) {
        earlierLogs += process.logs()
        process.stop()
        self.process = nil
    }
}
