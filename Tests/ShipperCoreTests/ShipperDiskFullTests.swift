import FileStorage
import Foundation
import LogTailing
import Logging
import PipelineTestSupport
import Testing

@testable import ShipperCore

/// The checkpoint directory's disk fills up while the shipper runs (DESIGN.md §10.3), through
/// the checkpoint store's file-system seam (an `InMemoryFileSystem` whose capacity is cut to what
/// it holds: a write gets ENOSPC part-way, leaving a torn temporary file), so it runs on every
/// machine: shipping goes on; a failed checkpoint write
/// neither advances the checkpoint nor damages it nor stops the shipper; a shipper that ends
/// while the disk is full (nothing more can be written, as after a kill -9) resumes from the
/// last good checkpoint and the broker's de-duplication keeps every line once; when space
/// returns, checkpoints move again. The shipper runs in-process against the real broker.
@Suite(.serialized, .integration)
struct ShipperDiskFullTests {
    @Test func checkpointWritesFailingOnAFullDiskLoseAndDoubleNothing() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let checkpoints = "\(directory)/checkpoints"
        let disk = InMemoryFileSystem()
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        try await broker.start()
        let deduplication = BrokerDeduplication(try await broker.metrics())
        let configuration = try ShipperConfigurationTests.resolve([
            "files": "\(path):edge", "broker": broker.bootstrap, "checkpoint-dir": checkpoints, "edge-name": "edge-1",
            "batch-bytes": "16KiB", "linger": "5ms", "poll-interval": "50ms", "checkpoint-interval": "20ms",
            "drain-idle": "200ms",
        ])

        let first = TestLog.lines(tag: "before", 0..<1500, host: "a.example")
        try TestLog.append(first.text, to: path)
        var shipper = Self.start(configuration, disk)
        try await Self.waitUntilStored(first.paths, broker: broker)
        // The file went idle: its checkpoint covers every line (issue 13, hole 1).
        let beforeFull = try await Self.settledCheckpoint(in: checkpoints, on: disk)
        #expect(beforeFull == Int64(first.text.utf8.count))

        disk.capacityBytes = disk.usedBytes
        let second = TestLog.lines(tag: "full", 0..<1500, host: "b.example")
        try TestLog.append(second.text, to: path)
        try await Self.waitUntilStored(first.paths + second.paths, broker: broker)
        try await Self.waitUntil("checkpoint writes failing") { disk.failedWrites > 0 }
        // Not advanced, not damaged: the last checkpoint written before the disk filled up.
        #expect(try Self.checkpointOffsets(in: checkpoints, on: disk) == [beforeFull])

        // The shipper ends while the disk is still full (its final checkpoint fails too), and a
        // new one resends from the old checkpoint under the same producer id and sequences.
        try await shipper.stop()
        #expect(try Self.checkpointOffsets(in: checkpoints, on: disk) == [beforeFull])
        let duplicatesBefore = deduplication.duplicatesDropped(try await broker.metrics())
        shipper = Self.start(configuration, disk)
        try await Self.waitUntil("the resend de-duplicated") {
            deduplication.duplicatesDropped((try? await broker.metrics()) ?? PrometheusText(""))
                + deduplication.batchesTrimmed((try? await broker.metrics()) ?? PrometheusText(""))
                > duplicatesBefore
        }

        disk.capacityBytes = nil
        let afterFree = try await Self.settledCheckpoint(in: checkpoints, on: disk)
        #expect(afterFree == Int64(first.text.utf8.count + second.text.utf8.count), "checkpoints move again")

        try await Self.expectStoredOnce(first.paths + second.paths, broker: broker)
        try await shipper.stop()
    }

    /// A `ShipperService` running in a task.
    struct RunningShipper {
        let service: ShipperService
        let task: Task<Void, any Error>

        func stop() async throws {
            service.stop()
            try await task.value
        }
    }

    static func start(_ configuration: ShipperConfiguration, _ disk: InMemoryFileSystem) -> RunningShipper {
        var logger = Logger(label: "test.shipper")
        logger.logLevel = .critical  // the failing writes are expected here
        let service = ShipperService(configuration: configuration, logger: logger, checkpointFileSystem: disk)
        return RunningShipper(service: service, task: Task { try await service.run() })
    }

    /// Every expected line in the topic, none twice (call when nothing is in flight any more).
    static func expectStoredOnce(_ expected: [String], broker: BrokerProcess) async throws {
        let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        let shipped = contents.entries.map(\.record.path)
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        #expect(shipped.count == Set(shipped).count, "\(shipped.count - Set(shipped).count) lines stored twice")
    }

    static func waitUntilStored(_ expected: [String], broker: BrokerProcess) async throws {
        let wanted = Set(expected)
        try await waitUntil("\(expected.count) lines in the broker") {
            let contents = try? await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
            return wanted.isSubset(of: contents?.entries.map(\.record.path) ?? [])
        }
    }

    static func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ShipperProcess.Failure(description: "never reached: \(what)")
    }

    /// The offsets of the checkpoints on disk, read the way the shipper reads them at start.
    static func checkpointOffsets(in directory: String, on disk: InMemoryFileSystem) throws -> [Int64] {
        try CheckpointStore(directory: directory, fileSystem: disk).load().checkpoints.map(\.offset)
    }

    /// The checkpoint offset once it has stayed the same for half a second.
    static func settledCheckpoint(in directory: String, on disk: InMemoryFileSystem) async throws -> Int64 {
        let deadline = ContinuousClock.now + .seconds(30)
        var last: [Int64] = []
        var since = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let offsets = (try? checkpointOffsets(in: directory, on: disk)) ?? []
            if offsets != last {
                last = offsets
                since = .now
            } else if let offset = offsets.first, offsets.count == 1, since.duration(to: .now) >= .milliseconds(500) {
                return offset
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ShipperProcess.Failure(description: "no settled checkpoint (last: \(last))")
    }
}
