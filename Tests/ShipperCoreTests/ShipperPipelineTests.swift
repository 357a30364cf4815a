import FileStorage
import Foundation
import LogTailing
import Logging
import MetricsTestKit
import PipelineTestSupport
import Testing

@testable import ShipperCore

#if canImport(Glibc)
    import Glibc
#endif

/// The pipeline's loop in-process, on a `ManualClock` (every linger, poll, checkpoint interval,
/// drain-idle and retry delay), with checkpoints on an `InMemoryFileSystem`, against
/// a real `edgelog-broker` child that the test freezes (SIGSTOP) and thaws (SIGCONT): a broker
/// that acknowledges late, or not at all while frozen.
@Suite(.serialized, .integration)
struct ShipperPipelineTests {
    static let memoryLimit = 256 << 10

    /// While the broker does not answer, the memory budget holds and reading pauses (the log
    /// file is the backlog), and no checkpoint moves past what was acknowledged; once it
    /// answers, every line is delivered exactly once and the checkpoint covers the file.
    @Test func aSlowBrokerPausesReadingAndLosesOrDoublesNothing() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let checkpoints = "\(directory)/checkpoints"
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        let process = try await broker.start()
        let configuration = try ShipperConfigurationTests.resolve([
            "files": "\(path):edge", "broker": broker.bootstrap, "checkpoint-dir": checkpoints, "edge-name": "edge-1",
            "batch-bytes": "16KiB", "memory-limit": "256KiB", "linger": "5ms", "poll-interval": "50ms",
            "checkpoint-interval": "20ms", "drain-idle": "200ms", "encoders": "1",
        ])
        let clock = ManualClock()
        let metrics = TestMetrics()
        let disk = InMemoryFileSystem()
        let shipper = Self.start(configuration, clock: clock, metrics: metrics, disk: disk)
        let time = Self.run(clock)
        defer { time.cancel() }

        let first = TestLog.lines(tag: "before", 0..<500, host: "a.example")
        try TestLog.append(first.text, to: path)
        let acknowledged = try await Self.settledCheckpoint(in: checkpoints, on: disk)
        #expect(acknowledged == Int64(first.text.utf8.count), "an idle file's checkpoint covers every line")

        // Frozen: the broker reads nothing and answers nothing.
        kill(process.pid, SIGSTOP)
        var thawed = false
        defer { if !thawed { kill(process.pid, SIGCONT) } }
        let second = TestLog.lines(tag: "stalled", 0..<20_000, host: "b.example")
        try TestLog.append(second.text, to: path)
        let fileSize = Int64(first.text.utf8.count + second.text.utf8.count)
        let paused = try metrics.expectGauge("edgelog_shipper_reading_paused")
        try await Self.waitUntil("reading paused") { paused.lastValue == 1 }
        try await Task.sleep(for: .seconds(1))  // seconds more on the manual clock
        let bytesRead = try metrics.expectCounter("edgelog_shipper_bytes_read_total").totalValue
        #expect(paused.lastValue == 1, "still paused")
        #expect(bytesRead - Int64(first.text.utf8.count) < 8 * Int64(Self.memoryLimit), "the file is the backlog")
        let offsets = try Self.checkpointOffsets(in: checkpoints, on: disk)
        #expect(offsets == [acknowledged], "nothing acknowledged, nothing checkpointed")
        let buffered = try metrics.expectGauge("edgelog_shipper_buffered_bytes").values.max() ?? 0
        // A chunk read with `room` left reserves up to about three times `room` (the lines'
        // storage and what encoding them takes), so the limit can be passed by that much once.
        #expect(buffered > 0 && buffered <= 4 * Double(Self.memoryLimit), "memory budget holds: \(buffered) bytes")

        kill(process.pid, SIGCONT)
        thawed = true
        let covered = try await Self.settledCheckpoint(in: checkpoints, on: disk, reaching: fileSize)
        #expect(covered == fileSize, "once acknowledged, the checkpoint covers the file")
        #expect(paused.lastValue == 0)
        try await ShipperDiskFullTests.expectStoredOnce(first.paths + second.paths, broker: broker)
        try await shipper.stop()
    }

    /// Moves the manual clock 5 ms for every real millisecond (about five times real time), so
    /// the loop's deadlines come as the test's steps, not as the machine's speed, allows.
    static func run(_ clock: ManualClock) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                clock.advance(by: .milliseconds(5))
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    static func start(
        _ configuration: ShipperConfiguration, clock: ManualClock, metrics: TestMetrics, disk: InMemoryFileSystem
    )
        -> ShipperDiskFullTests.RunningShipper
    {
        var logger = Logger(label: "test.shipper")
        logger.logLevel = .critical  // checkpoint-write races with the test reading the directory are retried
        let service = ShipperService(
            configuration: configuration,
            metrics: ShipperMetrics(factory: metrics),
            logger: logger,
            checkpointFileSystem: disk
        )
        return ShipperDiskFullTests.RunningShipper(service: service, task: Task { try await service.run(clock: clock) })
    }

    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        try await ShipperDiskFullTests.waitUntil(what) { (try? await condition()) ?? false }
    }

    static func checkpointOffsets(in directory: String, on disk: InMemoryFileSystem) throws -> [Int64] {
        try ShipperDiskFullTests.checkpointOffsets(in: directory, on: disk)
    }

    /// The checkpoint offset once it has stayed the same for half a second (at `offset` when given).
    static func settledCheckpoint(
        in directory: String, on disk: InMemoryFileSystem, reaching offset: Int64? = nil
    ) async throws -> Int64 {
        if let offset {
            try await waitUntil("checkpoint at \(offset)") { try checkpointOffsets(in: directory, on: disk) == [offset] }
        }
        return try await ShipperDiskFullTests.settledCheckpoint(in: directory, on: disk)
    }
}
