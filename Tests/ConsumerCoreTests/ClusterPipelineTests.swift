import Foundation
import PipelineTestSupport
import Testing

/// The shipper and the consumer against three `edgelog-broker`s under one static cluster map
/// (partition p led by broker p mod 3, broker 0 coordinating groups), given only one broker as
/// bootstrap: they find every partition's leader from Metadata. One broker is killed -9 mid-run
/// and restarted; meanwhile the partitions of the other two keep flowing into PostgreSQL, and at
/// the end the totals equal the generator's. Two runs:
/// - the bootstrap broker itself is the victim (leader of partitions 0 and 3, and the coordinator);
/// - the consumer is a group member (`--group`), bootstrapped through broker 2, so it finds its
///   coordinator (broker 0) by FindCoordinator; broker 1 is the victim.
@Suite(.serialized, .integration)
struct ClusterPipelineTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var bootstrap: Int
        var victim: Int
        var group: Bool
        var testDescription: String { "bootstrap \(bootstrap), victim \(victim)\(group ? ", consumer in a group" : "")" }
    }

    @Test(arguments: [
        Scenario(bootstrap: 0, victim: 0, group: false), Scenario(bootstrap: 2, victim: 1, group: true),
    ])
    func threeBrokersOneKilledMidRunOthersFlowTotalsExact(_ scenario: Scenario) async throws {
        let rig = try await PipelineRig(partitions: 6, brokers: 3)
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 21)
        let bootstrap = rig.brokers[scenario.bootstrap].bootstrap
        let consumer = ConsumerProcess.quick(
            broker: bootstrap, shards: rig.shardConninfos,
            arguments: scenario.group ? ["--group", "edgelog-cluster-test"] : [])
        defer { consumer.remove() }
        let shipper = ShipperProcess.quick(broker: bootstrap, files: "\(log):edge", directory: rig.directory)
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

        if scenario.group {
            let members = try await consumer.metrics().series(containing: "edgelog_consumer_assigned_partitions")
            #expect(members.values.first == 6, "the only member holds all six: \(members)\n\(logs())")
        }
        let victim = rig.brokers[scenario.victim]
        let victimPartitions: Set<Int32> = [Int32(scenario.victim), Int32(scenario.victim + 3)]
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
                #expect(after > before, "partition \(partition) kept flowing while broker \(scenario.victim) was down: \(before) -> \(after)")
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
