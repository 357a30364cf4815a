import Foundation
import PipelineTestSupport
import Testing

/// kill -9 of the shipper while a writer appends steadily over 8 sites (so into all 4
/// partitions), five times, each kill landing while batches are in flight (scraped from the
/// shipper's own `/metrics` right before the kill), and a restart each time from the checkpoints
/// (DESIGN.md §10.3–4). After each restart the test waits until the shipper has caught up and
/// is idle and the broker's record count has settled, then reads everything back, so a late
/// duplicate from any restart would be seen (PITFALLS.md).
@Suite(.serialized, .integration)
struct ShipperCrashRecoveryTests {
    @Test func killNineFiveTimesWithBatchesInFlightLosesNothingAndStoresEachLineOnce() async throws {
        let directory = try TestLog.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/access.log"
        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        let deduplication = BrokerDeduplication(try await broker.metrics())
        // Small batches, short linger and one in flight per partition at most a few: many
        // batches are always on their way, so a kill finds some unacknowledged.
        let shipper = ShipperProcess(
            broker: broker.bootstrap,
            arguments: [
                "--files", "\(path):edge", "--batch-bytes", "8KiB", "--linger", "5ms", "--poll-interval", "50ms",
                "--checkpoint-interval", "50ms",
            ]
        )
        defer { shipper.remove() }
        try await shipper.start()

        // Each round's writer runs until the kill (so it lands mid-flight) and stops before the
        // read-back, so the shipper can become idle and the broker settle.
        var expected: [String] = []
        var inFlightAtKill: [Double] = []
        for round in 0..<5 {
            let writer = SteadyWriter(path: path, tag: "steady\(round)", linesPerSecond: 3000, sites: 8)
            writer.start()
            try await Task.sleep(for: .milliseconds(600))
            let metrics = try await shipper.waitForMetrics(
                timeout: .seconds(30),
                "batches in flight before kill \(round)"
            ) {
                ($0["edgelog_shipper_batches_in_flight"] ?? 0) > 0
            }
            try await shipper.kill9()
            inFlightAtKill.append(metrics["edgelog_shipper_batches_in_flight"] ?? 0)
            expected += try await writer.stop()
            try await shipper.start()
            // Caught up, idle, settled: every line written so far is there exactly once.
            let settled = try await ShipperExactlyOnceTests.waitUntilStored(expected, broker: broker, shipper: shipper)
            let paths = settled.entries.map(\.record.path)
            #expect(paths.count == Set(paths).count, "round \(round): \(paths.count - Set(paths).count) lines twice")
            #expect(Set(expected).isSubset(of: paths), "round \(round): lines missing")
        }

        let contents = try await waitForBroker(toHold: Set(expected), broker: broker, shipper: shipper)
        let shipped = contents.entries.map(\.record.path)
        #expect(
            inFlightAtKill.count == 5 && inFlightAtKill.allSatisfy { $0 > 0 },
            "kills with batches in flight: \(inFlightAtKill)"
        )
        #expect(Set(shipped) == Set(expected), "missing: \(Set(expected).subtracting(shipped).sorted().prefix(5))")
        let duplicates = shipped.count - Set(shipped).count
        // Whatever the broker does: every copy of a line carries the producer id and sequence
        // of its first copy, and no two lines share one — so de-duplication by sequence keeps
        // exactly one copy of each line and drops no line.
        var lineOfSequence: [String: String] = [:]
        var sequencesOfLine: [String: Set<String>] = [:]
        var conflicts: [String] = []
        for entry in contents.all {
            // A line by its path, a control record by the file range it counts.
            let name =
                entry.record.kind == .request
                ? entry.record.path : "stats \(entry.record.fileOffset)..<\(entry.record.endOffset)"
            let key = "\(entry.producerID)/\(entry.partition)/\(entry.sequence)"
            if let other = lineOfSequence.updateValue(name, forKey: key), other != name {
                conflicts.append("\(key): \(other) and \(name)")
            }
            sequencesOfLine[name, default: []].insert(key)
        }
        #expect(conflicts.isEmpty, "sequences reused for other lines: \(conflicts.prefix(5))")
        let resequenced = sequencesOfLine.filter { $0.value.count > 1 }
        #expect(resequenced.isEmpty, "lines stored under two sequences: \(resequenced.prefix(5))")
        let brokerMetrics = try await broker.metrics()
        #expect(deduplication.isAvailable, "the broker exposes no de-duplication counters")
        #expect(duplicates == 0, "\(duplicates) lines stored twice")
        #expect(
            deduplication.duplicatesDropped(brokerMetrics) + deduplication.batchesTrimmed(brokerMetrics) > 0,
            "the resend path was exercised: \(deduplication.counters(brokerMetrics))"
        )
        #expect(try await shipper.terminate() == .exited(0), "\(shipper.logs())")
    }

    /// Reads the topic until every expected line is there (or a minute passed).
    private func waitForBroker(
        toHold expected: Set<String>,
        broker: BrokerProcess,
        shipper: ShipperProcess
    ) async throws -> TopicContents {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let contents = try await TopicContents.read(bootstrap: broker.bootstrap, topic: "edgelog.requests")
            if expected.isSubset(of: contents.entries.map(\.record.path)) || ContinuousClock.now > deadline {
                return contents
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
