import FileStorage
import Foundation
import LogTailing
import Logging
import PipelineTestSupport
import Testing

@testable import ShipperCore

/// Power fails on the shipper's host while a checkpoint is being written (DESIGN.md §10.3), in
/// process: the checkpoints live on an `InMemoryFileSystem` whose syncs take a while, the test
/// cuts the power the moment a checkpoint write is unsynced (so the cut tears it), and the
/// shipper restarts from what survived. Every line must reach the broker exactly once: a torn
/// temporary file never replaces a checkpoint, and the resend from the older checkpoint is
/// de-duplicated by the broker under the producer state that checkpoint recorded.
@Suite(.serialized, .integration)
struct ShipperPowerLossTests {
    @Test func powerCutsTearingCheckpointWritesLoseAndDoubleNothing() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let disk = InMemoryFileSystem()
        disk.syncLatencyMicroseconds = 20_000  // a slow disk: most of the time a write is unsynced
        let broker = try BrokerProcess(partitions: 2)
        defer { broker.remove() }
        try await broker.start()
        let deduplication = BrokerDeduplication(try await broker.metrics())
        let configuration = try ShipperConfigurationTests.resolve([
            "files": "\(path):edge", "broker": broker.bootstrap, "checkpoint-dir": "\(directory)/checkpoints",
            "edge-name": "edge-1", "batch-bytes": "8KiB", "linger": "5ms", "poll-interval": "50ms",
            "checkpoint-interval": "10ms",
        ])

        var expected: [String] = []
        var tornFiles: [String] = []
        for round in 0..<4 {
            let writer = SteadyWriter(path: path, tag: "power\(round)", linesPerSecond: 3000, sites: 4)
            writer.start()
            let shipper = ShipperDiskFullTests.start(configuration, disk)
            try await Task.sleep(for: .milliseconds(300 + 100 * round))
            // The cut lands while a checkpoint write waits for its sync.
            try await ShipperDiskFullTests.waitUntil("an unsynced checkpoint write") { disk.hasUnsyncedWrite }
            if let torn = disk.powerCut(tearLastWrite: 9) { tornFiles.append(torn) }
            // What the dead shipper still does goes nowhere: the power is off until it is gone.
            try? await shipper.stop()
            expected += try await writer.stop()
            disk.powerOn()
        }
        #expect(!tornFiles.isEmpty, "no power cut tore a write")
        #expect(tornFiles.allSatisfy { $0.hasSuffix(".checkpoint.tmp") }, "torn: \(tornFiles)")

        let shipper = ShipperDiskFullTests.start(configuration, disk)
        try await ShipperDiskFullTests.waitUntilStored(expected, broker: broker)
        try await shipper.stop()  // nothing in flight any more: the topic is settled
        try await ShipperDiskFullTests.expectStoredOnce(expected, broker: broker)
        let metrics = try await broker.metrics()
        #expect(
            deduplication.duplicatesDropped(metrics) + deduplication.batchesTrimmed(metrics) > 0,
            "the resend from an older checkpoint was exercised: \(deduplication.counters(metrics))")
    }
}
