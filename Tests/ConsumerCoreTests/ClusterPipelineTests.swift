import Foundation
import PipelineTestSupport
import Testing

/// The shipper and the consumer against three `edgelog-broker`s under one static cluster map,
/// given only the first broker as bootstrap: they find every partition's leader from Metadata.
/// The bootstrap broker itself (leader of partitions 0 and 3, and the group coordinator) is
/// killed -9 mid-run and restarted; meanwhile the partitions of the other two brokers keep
/// flowing into PostgreSQL, and at the end the totals equal the generator's.
@Suite(.serialized, .integration)
struct ClusterPipelineTests {
    @Test func threeBrokersBootstrapKilledMidRunOthersFlowTotalsExact() async throws {
        let rig = try await PipelineRig(partitions: 6, brokers: 3)
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 21)
        let consumer = rig.makeConsumer()
        defer { consumer.remove() }
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        let logs = {
            "shipper:\n\(shipper.logs())\nconsumer:\n\(consumer.logs())\n"
                + rig.brokers.enumerated().map { "broker \($0.offset):\n\($0.element.logs())" }.joined(separator: "\n")
        }
        try writer.append(lines: 5_000)
        try await shipper.start()
        try await consumer.start()
        for _ in 0..<3 {
            try writer.append(lines: 1_000)
            try await Task.sleep(for: .seconds(1))
        }
        // Every partition flows through its own leader before the kill.
        let flowing = try Self.smallestProgress(rig)
        #expect(Set(flowing.filter { $0.value > 0 }.keys) == Set(0..<6), "every partition consumed: \(flowing)\n\(logs())")

        let victim = rig.brokers[0]
        let victimPartitions: Set<Int32> = [0, 3]
        try writer.append(lines: 1_000)
        try await victim.kill9()
        let atKill = try Self.smallestProgress(rig)
        for _ in 0..<8 {
            try writer.append(lines: 1_000)
            try await Task.sleep(for: .seconds(1))
        }
        let whileDown = try Self.smallestProgress(rig)
        for partition in Int32(0)..<6 {
            let before = atKill[partition] ?? 0
            let after = whileDown[partition] ?? 0
            if victimPartitions.contains(partition) {
                #expect(after == before, "partition \(partition) advanced without its leader: \(before) -> \(after)")
            } else {
                #expect(after > before, "partition \(partition) kept flowing while broker 0 was down: \(before) -> \(after)")
            }
        }
        try await victim.start()
        try writer.append(lines: 2_000)
        let written = Double(writer.expected.lines)
        _ = try await shipper.waitForMetrics(timeout: .seconds(90), "every line acknowledged") { metrics in
            metrics.series(containing: "edgelog_shipper_records_acknowledged_total").values.reduce(0, +) >= written
        }
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: logs)
        // The kill landed mid-flight: the dead broker's partitions got records after it.
        let end = try Self.smallestProgress(rig)
        for partition in victimPartitions {
            #expect((end[partition] ?? 0) > (atKill[partition] ?? 0), "partition \(partition) received nothing after the kill")
        }
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
        let lost = try await shipper.metrics().series(containing: "edgelog_shipper_lost_lines_total")
        #expect(lost.values.allSatisfy { $0 == 0 }, "the shipper lost lines: \(lost)")
    }

    /// Per partition, the smallest progress over the shards (what is surely in every shard).
    static func smallestProgress(_ rig: PipelineRig) throws -> [Int32: Int64] {
        let shards = try rig.progress()
        var smallest: [Int32: Int64] = [:]
        for partition in Int32(0)..<6 {
            smallest[partition] = shards.map { $0[partition] ?? 0 }.min() ?? 0
        }
        return smallest
    }
}
