import Foundation
import PipelineTestSupport

/// The `edgelog-broker` executable as a child process on free loopback ports, with a data
/// directory that outlives restarts (adapted from BrokerCoreTests' support).
final class BrokerProcess {
    let dataDirectory: String
    let port: Int
    let metricsPort: Int
    let extraArguments: [String]
    private(set) var process: ManagedProcess?

    init(partitions: Int = 4, extraArguments: [String] = []) throws {
        self.dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("edgelog-shipper-broker-\(UUID().uuidString)").path
        self.port = try FreePort.next()
        self.metricsPort = try FreePort.next()
        self.extraArguments = ["--default-partitions", "\(partitions)"] + extraArguments
    }

    var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts the broker and waits until `/health` answers and the Kafka port accepts connections.
    func start() async throws {
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
    }

    /// SIGTERM and wait for the exit status.
    @discardableResult
    func terminate() async throws -> ExitStatus? {
        guard let process else { return nil }
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(20))
        process.stop()
        self.process = nil
        return status
    }

    /// The broker's `/metrics`, parsed.
    func metrics() throws -> PrometheusText {
        let reply = try LoopbackProbe.httpGet(port: metricsPort, path: "/metrics", timeout: .seconds(5))
        return PrometheusText(reply.body)
    }

    func logs() -> String { process?.logs() ?? "" }

    /// Stops the process if it runs and removes the data directory.
    func remove() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
