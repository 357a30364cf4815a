import Foundation
import LogTailing
import PipelineTestSupport
import Testing

/// The checkpoint directory's disk fills up while the shipper runs (a real ENOSPC from a small
/// tmpfs), DESIGN.md §10.3: shipping goes on, a failed checkpoint write neither advances the
/// checkpoint nor damages it nor stops the process; a kill -9 while the disk is full resumes
/// from the last good checkpoint and the broker's de-duplication keeps every line once; when
/// space returns, checkpoints move again.
@Suite(.serialized, .integration, .enabled(if: SmallFileSystem.isAvailable, "needs the right to mount a tmpfs"))
struct ShipperDiskFullTests {
    @Test func checkpointWritesFailingOnAFullDiskLoseAndDoubleNothing() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let disk = try SmallFileSystem(bytes: 256 << 10)
        defer { disk.remove() }
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        try await broker.start()
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", "\(path):edge", "--batch-bytes", "16KiB", "--linger", "5ms", "--poll-interval", "50ms",
                "--checkpoint-interval", "20ms",
            ],
            checkpointDirectory: disk.path
        )
        defer { shipper.remove() }

        let first = TestLog.lines(tag: "before", 0..<1500, host: "a.example")
        try TestLog.append(first.text, to: path)
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(30), "the first lines acknowledged") {
            ($0["edgelog_shipper_records_acknowledged_total"] ?? 0) >= 1500
        }
        // Checkpoints fall on group cuts (`ShipmentLedger`): the last one before the disk fills
        // is the last cut before the end of these lines.
        let beforeFull = try await settledCheckpoint(in: disk.path, shipper: shipper)
        #expect(beforeFull > 0 && beforeFull <= Int64(first.text.utf8.count))

        try disk.fill()
        let failuresBefore = try shipper.metrics()["edgelog_shipper_checkpoint_failures_total"] ?? 0
        let second = TestLog.lines(tag: "full", 0..<1500, host: "b.example")
        try TestLog.append(second.text, to: path)
        _ = try await shipper.waitForMetrics(timeout: .seconds(30), "lines shipped and checkpoint writes failing") {
            ($0["edgelog_shipper_records_acknowledged_total"] ?? 0) >= 3000
                && ($0["edgelog_shipper_checkpoint_failures_total"] ?? 0) > failuresBefore
        }
        // Not advanced, not damaged: the last checkpoint written before the disk filled up.
        #expect(try checkpointOffsets(in: disk.path) == [beforeFull])

        // A crash while the disk is still full: the restart resends from the old checkpoint,
        // under the same producer id and sequences, so the broker keeps one copy of each line.
        try await shipper.kill9()
        try await shipper.start()
        _ = try await shipper.waitForMetrics(timeout: .seconds(30), "the resend after the restart acknowledged") {
            ($0["edgelog_shipper_records_acknowledged_total"] ?? 0) >= 1500
                && ($0["edgelog_shipper_checkpoint_failures_total"] ?? 0) > 0
        }
        #expect(try checkpointOffsets(in: disk.path) == [beforeFull])

        try disk.free()
        let afterFree = try await settledCheckpoint(in: disk.path, shipper: shipper)
        #expect(afterFree > Int64(first.text.utf8.count), "checkpoints move again once space is back")

        let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        let shipped = contents.entries.map(\.record.path)
        let expected = first.paths + second.paths
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        #expect(shipped.count == expected.count, "\(shipped.count - Set(shipped).count) lines stored twice")
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    /// The offsets of the checkpoints on disk, read the way the shipper reads them at start.
    private func checkpointOffsets(in directory: String) throws -> [Int64] {
        try CheckpointStore(directory: directory).load().checkpoints.map(\.offset)
    }

    /// The checkpoint offset once it has stayed the same for half a second (the shipper is
    /// caught up and has written what it can).
    private func settledCheckpoint(in directory: String, shipper: ShipperProcess) async throws -> Int64 {
        let deadline = ContinuousClock.now + .seconds(30)
        var last: [Int64] = []
        var since = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let offsets = (try? checkpointOffsets(in: directory)) ?? []
            if offsets != last {
                last = offsets
                since = .now
            } else if let offset = offsets.first, offsets.count == 1, since.duration(to: .now) >= .milliseconds(500) {
                return offset
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ShipperProcess.Failure(description: "no settled checkpoint (last: \(last))\n\(shipper.logs())")
    }
}
