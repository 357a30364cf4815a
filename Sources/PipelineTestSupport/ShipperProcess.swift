import Foundation

/// The `edgelog-shipper` executable as a child process with its own checkpoint directory
/// (which outlives restarts, like a real edge's) and a free `/metrics` port per start.
public final class ShipperProcess {
    public let checkpointDirectory: String
    public let broker: String
    public let arguments: [String]
    public private(set) var process: ManagedProcess?
    public private(set) var metricsPort = 0
    /// Logs of earlier runs (kept when a run is stopped, for failure messages).
    public private(set) var history = ""

    /// Flags that make a test's shipper quick to show what it read: small batches, short
    /// linger and polling. Put before a test's own flags (a later flag wins).
    public static let quickFlags = ["--batch-bytes", "64KiB", "--linger", "20ms", "--poll-interval", "50ms"]

    /// A shipper of `files` with `quickFlags` and `extra`, its checkpoints under `directory`: what
    /// the pipeline rigs start.
    public static func quick(broker: String, files: String, directory: String, extra: [String] = []) -> ShipperProcess {
        ShipperProcess(
            broker: broker, arguments: ["--files", files] + quickFlags + extra,
            checkpointDirectory: "\(directory)/checkpoints")
    }

    /// - Parameter arguments: the shipper's own flags (`--files`, ...); broker, checkpoint
    ///   directory and metrics port are added.
    ///   `checkpointDirectory`: a directory of the test's choosing (default: a fresh temporary one).
    public init(broker: String, arguments: [String], checkpointDirectory: String? = nil) {
        self.checkpointDirectory =
            checkpointDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-shipper-checkpoints-\(UUID().uuidString)").path
        self.broker = broker
        self.arguments = arguments
    }

    @discardableResult
    public func start(extraArguments: [String] = []) async throws -> ManagedProcess {
        let executable = try BuiltExecutable.path(named: "edgelog-shipper")
        metricsPort = try FreePort.next()
        let process = try ManagedProcess.start(
            executable: executable,
            arguments: [
                "--broker", broker, "--checkpoint-dir", checkpointDirectory, "--metrics-port", String(metricsPort),
                "--edge-name", "test-edge", "--log-level", "debug",
            ] + arguments + extraArguments
        )
        self.process = process
        try await process.waitUntilHTTPHealthy(port: metricsPort, timeout: .seconds(30))
        return process
    }

    /// The shipper's `/metrics`, parsed.
    public func metrics() async throws -> PrometheusText {
        try await PrometheusText.scrape(port: metricsPort)
    }

    /// Polls `/metrics` until `condition` holds. Gives up only after a scrape that started
    /// after `timeout` (a stale scrape from before a stall of the pool does not count).
    public func waitForMetrics(
        timeout: Duration,
        _ what: String,
        _ condition: (PrometheusText) -> Bool
    ) async throws -> PrometheusText {
        let deadline = ContinuousClock.now + timeout
        var last: PrometheusText?
        while true {
            let scraped = ContinuousClock.now
            if let metrics = try? await self.metrics() {
                last = metrics
                if condition(metrics) { return metrics }
            }
            guard scraped < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(
            description: "shipper never reached: \(what); last metrics: "
                + "\(last?.series(containing: "edgelog_shipper").sorted { $0.key < $1.key } ?? [])\n\(logs())"
        )
    }

    /// Peak resident set of the running process (`VmHWM` of `/proc/<pid>/status`), in bytes.
    public func peakResidentBytes() throws -> Int {
        guard let process else { throw Failure(description: "shipper not running") }
        let status = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            if let kilobytes = digits.first { return kilobytes * 1024 }
        }
        throw Failure(description: "no VmHWM in /proc/\(process.pid)/status")
    }

    @discardableResult
    public func terminate() async throws -> ExitStatus? {
        guard let process else { return nil }
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(30))
        history += process.logs() + "\n"
        process.stop()
        self.process = nil
        return status
    }

    /// SIGKILL: a crash as far as the shipper can tell.
    public func kill9() async throws {
        guard let process else { return }
        process.kill9()
        _ = try await process.waitForExit(timeout: .seconds(10))
        history += process.logs() + "\n"
        process.stop()
        self.process = nil
    }

    public func logs() -> String { history + (process?.logs() ?? "") }

    public func remove() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(atPath: checkpointDirectory)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }
}
