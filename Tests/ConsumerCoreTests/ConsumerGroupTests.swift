import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import PipelineTestSupport
import PostgresSink
import Testing

/// `edgelog-consumer --group NAME` with real processes: two consumers in one group split the
/// topic's partitions (the broker's DescribeGroups says so), one is killed -9 while it still
/// has records of its partitions to commit, the other takes them over after the session
/// timeout, and PostgreSQL's totals equal the generator's ground truth.
@Suite(.serialized, .integration)
struct ConsumerGroupTests {
    /// One member of the group as the broker describes it.
    struct DescribedMember: CustomStringConvertible {
        var memberID: String
        var partitions: [Int32]
        var description: String { "\(memberID): \(partitions)" }
    }

    @Test func twoMembersSplitTheSurvivorOfAKillNineTakesOverTotalsExact() async throws {
        let rig = try await PipelineRig(partitions: 4)
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 21)
        let group = "edgelog-pair"
        let membership = ["--group", group, "--group-session-timeout", "3s"]
        let survivor = rig.makeConsumer(membership)
        defer { survivor.remove() }
        // The victim's shard transactions stay open 200 ms and its fetches are small, so it
        // trails the log while traffic flows: its kill lands with records read but not committed.
        let victim = rig.makeConsumer(membership + ["--commit-delay", "200ms", "--fetch-max-bytes", "64KiB"])
        defer { victim.remove() }
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        try writer.append(lines: 4_000)
        try await shipper.start()
        try await survivor.start()
        try await victim.start()

        // The split, as the broker sees it: one generation, two members, two partitions each.
        let pair = try await Self.waitForGroup(rig, group: group, members: 2, logs: { survivor.logs() + victim.logs() })
        #expect(pair.flatMap(\.partitions).sorted() == [0, 1, 2, 3], "every partition once: \(pair)")
        #expect(pair.allSatisfy { $0.partitions.count == 2 }, "\(pair)")
        let victimMember = try #require(
            pair.first { victim.logs().contains($0.memberID) }, "the victim logged its member id\n\(victim.logs())")
        let survivorMember = try #require(pair.first { $0.memberID != victimMember.memberID })
        #expect(survivor.logs().contains(survivorMember.memberID))
        #expect(try await victim.metrics().total("edgelog_consumer_assigned_partitions") == 2)
        #expect(try await survivor.metrics().total("edgelog_consumer_assigned_partitions") == 2)

        // Traffic flows; the victim commits some flushes of its own, then dies mid-flight.
        try writer.append(lines: 8_000)
        let deadline = ContinuousClock.now + .seconds(30)
        var victimFlushes = 0.0
        while ContinuousClock.now < deadline, victimFlushes < 4 {
            victimFlushes = (try? await victim.metrics().total("edgelog_consumer_flushes_total")) ?? 0
            try await Task.sleep(for: .milliseconds(20))
        }
        try await victim.kill9()
        let killedAt = ContinuousClock.now
        // Nobody can move the victim's partitions until its session runs out (3 s): what the
        // shards hold now is where it stopped.
        let latest = try await rig.latestOffsets()
        let progressAtKill = try rig.progress()
        let behind = victimMember.partitions.filter { partition in
            progressAtKill.contains { ($0[partition] ?? 0) < (latest[partition] ?? 0) }
        }
        #expect(victimFlushes >= 4, "the victim committed flushes before its kill")
        #expect(!behind.isEmpty, "killed mid-flight: its partitions' progress \(progressAtKill) below the end \(latest)")

        try writer.append(lines: 3_000)
        let alone = try await Self.waitForGroup(rig, group: group, members: 1, logs: { survivor.logs() })
        let tookOver = ContinuousClock.now - killedAt
        #expect(alone.first?.memberID == survivorMember.memberID && alone.first?.partitions == [0, 1, 2, 3], "\(alone)")
        #expect(tookOver >= .seconds(1), "taken over after the victim's session ran out, not before: \(tookOver)")
        for partition in victimMember.partitions {
            #expect(survivor.logs().contains("\"partition\":\"\(partition)\"") || survivor.logs().contains("partition=\(partition)"))
        }
        try writer.append(lines: 2_000)
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: { survivor.logs() + shipper.logs() })
        try await shipper.terminate()
        try await rig.waitUntilConsumed(timeout: .seconds(30), logs: { survivor.logs() })
        #expect(survivor.process?.isRunning == true, "\(survivor.logs())")
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)

        // The member commits the progress under its generation: lag tools see the end.
        var committed: [Int32: Int64] = [:]
        for _ in 0..<50 where committed != latest {
            let now = try await rig.latestOffsets()
            committed = try await rig.committedOffsets(group: group)
            if committed == now { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(committed == (try await rig.latestOffsets()), "group offsets \(committed)")

        // A clean stop leaves the group: the broker shows it empty at once.
        #expect(try await survivor.terminate() == .exited(0), "SIGTERM exits 0\n\(survivor.logs())")
        let state = try await Self.describe(rig, group: group)
        #expect(state.state == "Empty", "\(state)")
    }

    /// Static partitions keep the old behaviour even with a group named: no membership, the
    /// progress is committed as a simple consumer (generation -1) under that group.
    @Test func partitionsListedWithAGroupDoNotJoinIt() async throws {
        let rig = try await PipelineRig(partitions: 2)
        defer { rig.remove() }
        let log = "\(rig.directory)/access.log"
        let writer = try SteadyTrafficWriter(path: log, seed: 22)
        let consumer = rig.makeConsumer(["--group", "static-pair", "--partitions", "0,1"])
        defer { consumer.remove() }
        let shipper = rig.makeShipper(files: "\(log):edge")
        defer { shipper.remove() }
        try writer.append(lines: 2_000)
        try await shipper.start()
        try await consumer.start()
        try await rig.waitUntilConsumed(timeout: .seconds(60), logs: { consumer.logs() })
        let state = try await Self.describe(rig, group: "static-pair")
        #expect(state.members.isEmpty, "no member joined: \(state)")
        var committed: [Int32: Int64] = [:]
        let latest = try await rig.latestOffsets()
        for _ in 0..<50 where committed != latest {
            committed = try await rig.committedOffsets(group: "static-pair")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(committed == latest)
        #expect(!consumer.logs().contains("joined the consumer group"))
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)
    }

    // MARK: - The broker's view

    static func describe(_ rig: PipelineRig, group: String) async throws -> (state: String, members: [DescribedMember]) {
        let client = KafkaClient(configuration: try .init(bootstrap: rig.broker.bootstrap), logger: Logger(label: "rig"))
        defer { Task { await client.shutdown() } }
        let connection = try await client.connection()
        let answer = try await connection.request(DescribeGroupsRequest(groups: [group]))
        await client.shutdown()
        guard let described = answer.groups.first else { return ("(none)", []) }
        let members = try described.members.map {
            DescribedMember(
                memberID: $0.memberID,
                partitions: try ConsumerProtocolAssignment(bytes: $0.memberAssignment).partitions[rig.topic] ?? [])
        }
        return (described.groupState, members)
    }

    /// Polls DescribeGroups until the group is Stable with `members` members that each own
    /// partitions.
    static func waitForGroup(
        _ rig: PipelineRig, group: String, members: Int, timeout: Duration = .seconds(60), logs: () -> String
    ) async throws -> [DescribedMember] {
        let deadline = ContinuousClock.now + timeout
        var last: (state: String, members: [DescribedMember]) = ("", [])
        while ContinuousClock.now < deadline {
            last = try await describe(rig, group: group)
            if last.state == "Stable", last.members.count == members, last.members.allSatisfy({ !$0.partitions.isEmpty }) {
                return last.members
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ShipperProcess.Failure(description: "group \(group) not stable with \(members) members: \(last)\n\(logs())")
    }
}
