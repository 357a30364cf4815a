import Foundation
import PipelineTestSupport

/// The `edgelog-broker` executable running as a child process on free loopback ports, with a
/// data directory that outlives restarts (so a test can stop, tamper with the files, and start
/// again on the same data).
final class BrokerProcess {
    let dataDirectory: String
    let port: Int
    let metricsPort: Int
    let extraArguments: [String]
    private(set) var process: ManagedProcess?

    init(dataDirectory: String? = nil, extraArguments: [String] = []) throws {
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-broker-test-\(UUID().uuidString)")
            .path
        self.port = try FreePort.next()
        self.metricsPort = try FreePort.next()
        self.extraArguments = extraArguments
    }

    var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts the broker and waits until `/health` answers (which the broker only serves once
    /// its Kafka listener is bound) and the Kafka port accepts connections.
    @discardableResult
    func start() async throws -> ManagedProcess {
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

    /// SIGTERM and wait for the exit status.
    func terminate() async throws -> ExitStatus? {
        guard let process else { return nil }
        process.terminate()
        let status = try await process.waitForExit(timeout: .seconds(20))
        process.stop()
        self.process = nil
        return status
    }

    /// SIGKILL: a crash as far as the broker can tell.
    func kill9() async throws {
        guard let process else { return }
        process.kill9()
        _ = try await process.waitForExit(timeout: .seconds(10))
        process.stop()
        self.process = nil
    }

    func logs() -> String { process?.logs() ?? "" }

    /// Stops the process if it runs and removes the data directory.
    func remove() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs kcat against this broker.
    func kcat(_ arguments: [String], stdin: Data = Data()) throws -> ExternalTool.Result {
        try ExternalTool.run("kcat", ["-b", bootstrap] + arguments, stdin: stdin)
    }
}

/// Record batches as they lie in a segment `.log` file, read independently of SegmentStore:
/// each batch is `baseOffset int64 | batchLength int32 | ...`, with attributes (int16) at byte 21
/// (RECORD_BATCH.md §2).
enum SegmentFileBatches {
    struct Batch {
        var baseOffset: Int64
        var totalBytes: Int
        var compressionCodec: Int
    }

    static func read(_ path: String) throws -> [Batch] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func integer(_ offset: Int, _ width: Int) -> Int64 {
            bytes[offset..<(offset + width)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
        var batches: [Batch] = []
        var position = 0
        while position + 61 <= bytes.count {
            let length = Int(Int32(truncatingIfNeeded: integer(position + 8, 4)))
            let total = length + 12
            guard length > 0, position + total <= bytes.count else { break }
            batches.append(
                Batch(
                    baseOffset: integer(position, 8),
                    totalBytes: total,
                    compressionCodec: Int(integer(position + 21, 2) & 0x07)
                )
            )
            position += total
        }
        return batches
    }
}
