import Foundation

/// The `edgelog-consumer` executable as a child process, on a free `/metrics` port per start.
/// Not `Sendable`: one test drives it from one task. Stop it in every outcome with
/// `defer { consumer.remove() }`.
public final class ConsumerProcess {
    public let broker: String
    public let shards: [String]
    public let arguments: [String]
    public private(set) var process: ManagedProcess?
    public private(set) var metricsPort = 0
    /// Logs of earlier runs (kept when a run ends, for failure messages).
    public private(set) var history = ""

    /// Flags that make a test's consumer commit soon and retry fast. Put before a test's own
    /// flags (a later flag wins).
    public static let quickFlags = ["--flush-interval", "300ms", "--retry-backoff-max", "1s"]

    /// A consumer with `quickFlags` and `arguments`: what the pipeline rigs start.
    public static func quick(broker: String, shards: [String], arguments: [String] = []) -> ConsumerProcess {
        ConsumerProcess(broker: broker, shards: shards, arguments: quickFlags + arguments)
    }

    /// - Parameter arguments: further consumer flags (`--flush-interval`, ...); broker, shards and
    ///   metrics port are added.
    public init(broker: String, shards: [String], arguments: [String] = []) {
        self.broker = broker
        self.shards = shards
        self.arguments = arguments
    }

    /// Starts the consumer and waits until `/health` answers.
    @discardableResult
    public func start(extraArguments: [String] = []) async throws -> ManagedProcess {
        let process = try launch(extraArguments: extraArguments)
        try await process.waitUntilHTTPHealthy(port: metricsPort, timeout: .seconds(30))
        return process
    }

    /// Starts the consumer without waiting for it to become healthy (for runs expected to fail).
    @discardableResult
    public func launch(extraArguments: [String] = []) throws -> ManagedProcess {
        let executable = try BuiltExecutable.path(named: "edgelog-consumer")
        metricsPort = try FreePort.next()
        let process = try ManagedProcess.start(
            executable: executable,
            arguments: [
                "--broker", broker, "--shards", shards.joined(separator: ","), "--metrics-port", String(metricsPort),
                "--log-level", "debug",
            ] + arguments + extraArguments
        )
        self.process = process
        return process
    }

    /// The consumer's `/metrics`, parsed.
    public func metrics() async throws -> PrometheusText {
        try await PrometheusText.scrape(port: metricsPort)
    }

    /// SIGTERM and wait for the exit status; `nil` if not running.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(60)) async throws -> ExitStatus? {
        guard let process else { return nil }
        process.terminate()
        let status = try await process.waitForExit(timeout: timeout)
        finish(process)
        return status
    }

    /// Waits for the process to exit by itself (a fatal error) and returns the status.
    public func waitForExit(timeout: Duration) async throws -> ExitStatus {
        guard let process else { throw ShipperProcess.Failure(description: "consumer not running") }
        let status = try await process.waitForExit(timeout: timeout)
        finish(process)
        return status
    }

    /// SIGKILL: a crash as far as the consumer can tell.
    public func kill9() async throws {
        guard let process else { return }
        process.kill9()
        _ = try await process.waitForExit(timeout: .seconds(10))
        finish(process)
    }

    public func logs() -> String { history + (process?.logs() ?? "") }

    public func remove() {
        process?.stop()
        process = nil
    }

    private func finish(_ process: ManagedProcess) {
        history += process.logs() + "\n"
        process.stop()
        self.process = nil
    }
}
