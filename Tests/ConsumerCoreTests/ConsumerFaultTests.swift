import Foundation
import PipelineTestSupport
import PostgresSink
import Testing
import TrafficGenerator

/// Faults around the consumer with real processes: a shard's cluster down for 10 s, a second
/// consumer on the same partitions, the broker's data wiped, the shipper killed across a
/// rotation. Totals are checked against the generator's own values.
@Suite(.serialized, .integration)
struct ConsumerFaultTests {
    @Test func shardClusterDownTenSecondsOthersAdvanceTotalsExact() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 11)
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        try writer.append(lines: 5_000)
        try await shipper.start()
        try await consumer.start()
        try await Task.sleep(for: .seconds(2))

        try await rig.clusterB.pause()  // shard 2
        let before = try rig.progress(shards: 0..<2)
        for _ in 0..<10 {
            try writer.append(lines: 1_000)
            try await Task.sleep(for: .seconds(1))
        }
        let during = try rig.progress(shards: 0..<2)
        try await rig.clusterB.resume()

        for shard in 0..<2 {
            let advanced = during[shard].contains { partition, offset in offset > (before[shard][partition] ?? -1) }
            #expect(advanced, "shard \(shard) kept advancing while shard 2 was down: \(before[shard]) -> \(during[shard])")
        }
        try await rig.waitUntilConsumed(timeout: .seconds(90), logs: { consumer.logs() })
        let failures = try await consumer.metrics().series(containing: "edgelog_consumer_flush_failures_total")
        #expect(failures.contains { $0.key.contains("shard=\"2\"") && $0.value > 0 }, "shard 2 flushes failed and were retried: \(failures)")
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
    }

    @Test func secondConsumerOnTheSamePartitionsIsFencedTotalsExact() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 12)
        let first = rig.makeConsumer()
        defer { first.remove() }
        let second = rig.makeConsumer()
        defer { second.remove() }
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        try writer.append(lines: 3_000)
        try await shipper.start()
        try await first.start()
        try await Task.sleep(for: .seconds(2))
        try await second.start()
        // The second consumer claimed the partitions at its start: the first one's next flush
        // on every partition is fenced, and with none left it exits non-zero.
        var exited: PipelineTestSupport.ExitStatus?
        for _ in 0..<30 {
            try writer.append(lines: 300)
            try await Task.sleep(for: .milliseconds(500))
            if let status = first.process?.exitStatus {
                exited = status
                break
            }
        }
        #expect(exited != nil && exited != .exited(0), "the older consumer stopped, fenced\n\(first.logs())")
        #expect(first.logs().contains("another consumer owns"), "the fence is reported")
        #expect(second.process?.isRunning == true, "the newer consumer keeps consuming\n\(second.logs())")
        try writer.append(lines: 1_000)
        try await rig.waitUntilConsumed(timeout: .seconds(90), logs: { first.logs() + second.logs() })
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
    }

    @Test func wipedBrokerStopsTheConsumerWithoutChangingARow() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 13)
        try writer.append(lines: 3_000)
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()
        try await rig.waitUntilConsumed(timeout: .seconds(60), logs: { consumer.logs() })
        try await shipper.terminate()
        let snapshot = try rig.query("SELECT * FROM minute_site ORDER BY 1, 2")

        try await rig.broker.kill9()
        try FileManager.default.removeItem(atPath: rig.broker.dataDirectory)
        try await rig.broker.start()
        // Something lands on the new broker at the offsets the shards already counted.
        let fresh = rig.makeShipper(files: "\(log):edge", extra: [])
        defer { fresh.remove() }
        try FileManager.default.removeItem(atPath: fresh.checkpointDirectory)
        try await fresh.start()

        let status = try await consumer.waitForExit(timeout: .seconds(60))
        #expect(status != .exited(0), "non-zero exit")
        #expect(consumer.logs().contains("data was wiped or replaced"), "a clear message\n\(consumer.logs())")
        try await Task.sleep(for: .seconds(1))
        #expect(try rig.query("SELECT * FROM minute_site ORDER BY 1, 2") == snapshot, "no row changed")

        // A restart refuses too, before writing anything.
        let restarted = rig.makeConsumer()
        defer { restarted.remove() }
        try restarted.launch()
        #expect(try await restarted.waitForExit(timeout: .seconds(30)) != .exited(0))
        #expect(restarted.logs().contains("data was wiped or replaced"))
        #expect(try rig.query("SELECT * FROM minute_site ORDER BY 1, 2") == snapshot, "no row changed")
    }

    /// Records that are not ours (kcat writes plain text into the topic) are counted with their
    /// offsets in `rejected_records` and skipped; the consumer goes on and the totals are exact.
    @Test func foreignRecordsAreCountedAsRejectedAndSkipped() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 15)
        try writer.append(lines: 2_000)
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        try await shipper.start()
        try await consumer.start()
        let garbage = try await rig.broker.kcat(
            ["-P", "-t", rig.topic, "-p", "1"], stdin: Data("not a record\n\u{0}\u{1}binary junk\n".utf8))
        #expect(garbage.status == 0, "\(garbage.stderrText)")
        try writer.append(lines: 2_000)
        try await rig.waitUntilConsumed(timeout: .seconds(60), logs: { consumer.logs() })

        let rejected = try rig.query("SELECT partition, cause, records FROM rejected_records_totals")
        #expect(rejected.map { $0.compactMap { $0 } } == [["1", "undecodable", "2"]], "\(rejected)")
        #expect(consumer.process?.isRunning == true)
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
    }

    @Test func auditShippedEqualsCountedAfterRotationAndShipperKill() async throws {
        let rig = try await PipelineRig()
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 14)
        let shipper = rig.makeShipper(files: "\(log):edge", extra: ["--drain-idle", "500ms"])
        defer { shipper.remove() }
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        try writer.append(lines: 4_000)
        try await shipper.start()
        try await consumer.start()
        try await Task.sleep(for: .milliseconds(300))
        try await shipper.kill9()
        try await shipper.start()
        try writer.append(lines: 2_000)
        try await Task.sleep(for: .seconds(1))
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try writer.append(lines: 3_000)
        try await Task.sleep(for: .seconds(3))  // the rotated file drains and ends
        // The live file's last checkpoint group gets its control record only when the file
        // ends: delete it once read, so every generation of access.log has ended.
        try FileManager.default.removeItem(atPath: log)
        try await Task.sleep(for: .seconds(3))
        try await shipper.terminate()
        try await rig.waitUntilConsumed(timeout: .seconds(60), logs: { consumer.logs() + shipper.logs() })

        let audit = try rig.query(
            "SELECT source_file, shipped_lines, counted_lines, lost_lines FROM file_audit_totals ORDER BY 1")
        let counted = audit.map { Int($0[2] ?? "") ?? 0 }.reduce(0, +)
        #expect(counted == writer.expected.lines, "every line counted once: \(audit)")
        // Both generations (the rotated and the deleted one) ship under the name access.log.
        let ended = audit.first { $0[0] == log }
        #expect(ended != nil && ended?[1] == ended?[2] && ended?[3] == "0", "ended files: shipped = counted: \(audit)")
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
    }
}
