import Foundation
import PipelineTestSupport
import Testing

/// The broker is killed -9 and stays down for 10 s while nginx keeps writing: the shipper stops
/// reading once its batches fill `memory-limit` (the log file is the buffer), reconnects with
/// backoff, and ships the backlog when the broker is back. Nothing lost, nothing doubled, and
/// the peak resident set grows by no more than the memory limit (plus allocator slack) although
/// the backlog is many times larger. A kill -9 that lands while a batch is stored but not yet
/// answered makes the shipper resend it, which only de-duplication keeps single: the test kills
/// the broker again (up to four more short outages, each with batches in flight) until the
/// restarted broker's duplicate or trim counters show that happened.
@Suite(.serialized, .integration)
struct ShipperBrokerOutageTests {
    @Test func brokerDownTenSecondsLosesNothingDoublesNothingAndKeepsMemoryBounded() async throws {
        let memoryLimit = 512 << 10
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let broker = try BrokerProcess(partitions: 3)
        defer { broker.remove() }
        try await broker.start()
        let deduplication = BrokerDeduplication(try await broker.metrics())
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", "\(path):edge", "--batch-bytes", "32KiB", "--memory-limit", "\(memoryLimit)",
                "--linger", "20ms", "--reconnect-backoff-max", "1s",
            ]
        )
        defer { shipper.remove() }
        let writer = SteadyWriter(path: path, tag: "outage", linesPerSecond: 4000)
        writer.start()
        try await shipper.start()
        try await Task.sleep(for: .seconds(2))
        _ = try await shipper.waitForMetrics(timeout: .seconds(30), "shipping steadily") {
            ($0["edgelog_shipper_records_acknowledged_total"] ?? 0) > 1000
        }
        let residentBefore = try shipper.peakResidentBytes()

        _ = try await shipper.waitForMetrics(timeout: .seconds(30), "batches in flight before the kill") {
            ($0["edgelog_shipper_batches_in_flight"] ?? 0) > 0
        }
        try await broker.kill9()
        let sizeAtStop = Self.size(of: path)
        var sawPaused = false
        let outageEnd = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < outageEnd {
            if let metrics = try? await shipper.metrics(), metrics["edgelog_shipper_reading_paused"] == 1 { sawPaused = true }
            try await Task.sleep(for: .milliseconds(200))
        }
        let backlog = Self.size(of: path) - sizeAtStop
        let residentDuringOutage = try shipper.peakResidentBytes()
        try await broker.start()
        var resendsDeduplicated = try await Self.deduplicatedAfterRestart(broker, deduplication, shipper: shipper)
        // A kill lands in the window (a batch stored, its acknowledgement not yet received)
        // only sometimes: under the full suite's load five tries once all missed it.
        for _ in 0..<9 where !resendsDeduplicated {
            _ = try await shipper.waitForMetrics(timeout: .seconds(30), "batches in flight before a kill") {
                ($0["edgelog_shipper_batches_in_flight"] ?? 0) > 0
            }
            try await broker.kill9()
            try await Task.sleep(for: .milliseconds(500))
            try await broker.start()
            resendsDeduplicated = try await Self.deduplicatedAfterRestart(broker, deduplication, shipper: shipper)
        }
        try await Task.sleep(for: .seconds(1))
        let expected = try await writer.stop()

        let deadline = ContinuousClock.now + .seconds(120)
        var contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        while !Set(expected).isSubset(of: contents.entries.map(\.record.path)), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
        }
        let shipped = contents.entries.map(\.record.path)
        let residentAfter = try shipper.peakResidentBytes()

        #expect(sawPaused, "reading stopped at the memory limit during the outage")
        #expect(backlog > 5 * memoryLimit, "the backlog (\(backlog) bytes) is many times the memory limit")
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        let slack = 6 << 20  // allocator arenas, the read buffer, NIO's buffers
        #expect(
            residentDuringOutage - residentBefore <= memoryLimit + slack,
            "peak RSS grew \(residentDuringOutage - residentBefore) bytes during an outage with a \(backlog)-byte backlog"
        )
        #expect(
            residentAfter - residentBefore <= memoryLimit + slack,
            "peak RSS grew \(residentAfter - residentBefore) bytes shipping a \(backlog)-byte backlog"
        )
        let duplicates = shipped.count - Set(shipped).count
        #expect(deduplication.isAvailable, "the broker exposes no de-duplication counters")
        #expect(duplicates == 0, "\(duplicates) lines stored twice")
        #expect(resendsDeduplicated, "no kill -9 of the broker left a stored batch unanswered")
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    /// Whether the restarted broker dropped or trimmed a resent batch within 3 s of the shipper
    /// acknowledging records again (its resends of what was in flight come first after a
    /// reconnect). The window starts at that acknowledgement, not at the broker's start: on a
    /// busy machine the reconnect alone can take longer than the window.
    private static func deduplicatedAfterRestart(
        _ broker: BrokerProcess, _ deduplication: BrokerDeduplication, shipper: ShipperProcess
    ) async throws -> Bool {
        let acknowledged = try await shipper.metrics()["edgelog_shipper_records_acknowledged_total"] ?? 0
        _ = try await shipper.waitForMetrics(timeout: .seconds(60), "acknowledging again after the broker restart") {
            ($0["edgelog_shipper_records_acknowledged_total"] ?? 0) > acknowledged
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            let metrics = try await broker.metrics()
            if deduplication.duplicatesDropped(metrics) + deduplication.batchesTrimmed(metrics) > 0 { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    private static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
