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
struct ConsumerGroupMembershipTests {
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
        // The survivor flushes every 4 s only, so the rebalance finds it holding unwritten deltas.
        let survivor = rig.makeConsumer(membership + ["--flush-interval", "4s"])
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
        // Alone, the survivor owns all four partitions and commits flushes of them.
        let first = try await Self.waitForGroup(rig, group: group, members: 1, logs: { survivor.logs() })
        #expect(first.first?.partitions == [0, 1, 2, 3], "\(first)")
        try await Self.waitForFlushes(survivor, atLeast: 3)
        try writer.append(lines: 3_000)
        try await Task.sleep(for: .seconds(1))
        try await victim.start()

        // The split, as the broker sees it: one generation, two members, two partitions each.
        let pair = try await Self.waitForGroup(rig, group: group, members: 2, logs: { survivor.logs() + victim.logs() })
        #expect(pair.flatMap(\.partitions).sorted() == [0, 1, 2, 3], "every partition once: \(pair)")
        #expect(pair.allSatisfy { $0.partitions.count == 2 }, "\(pair)")
        let victimMember = try #require(
            pair.first { victim.logs().contains($0.memberID) }, "the victim logged its member id\n\(victim.logs())")
        let survivorMember = try #require(pair.first { $0.memberID != victimMember.memberID })
        #expect(survivor.logs().contains(survivorMember.memberID))
        // Each consumer's own count (recorded just after its SyncGroup answer, so polled).
        for consumer in [victim, survivor] {
            var assigned: Double?
            for _ in 0..<100 where assigned != 2 {
                assigned = try await consumer.metrics().total("edgelog_consumer_assigned_partitions")
                if assigned != 2 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(assigned == 2, "edgelog_consumer_assigned_partitions")
        }
        // The victim's join revoked the survivor's four: it flushed them to every shard before
        // releasing, so the victim resumed each of its two exactly where the survivor stopped
        // reading (from the shards' progress; nothing read twice, nothing skipped).
        let released = Self.loggedOffsets(in: survivor.logs(), message: "partition released for the rebalance")
        var resumedByVictim: [Int32: [Int64]] = [:]
        for _ in 0..<100 where Set(resumedByVictim.keys) != Set(victimMember.partitions) {
            try await Task.sleep(for: .milliseconds(100))
            resumedByVictim = Self.loggedOffsets(
                in: victim.logs(), message: "partition assigned by the group resumes")
        }
        #expect(Set(released.keys) == [0, 1, 2, 3], "the survivor released its four: \(released)")
        #expect(!survivor.logs().contains("committed.on.every.shard=false"))
        let shardsBefore = Self.loggedValues(in: survivor.logs(), message: "partition released for the rebalance", field: "shards.before")
        #expect(
            released.contains { partition, offsets in (shardsBefore[partition]?.first ?? .max) < (offsets.first ?? 0) },
            "the release had deltas to write first: shards at \(shardsBefore), released at \(released)")
        for partition in victimMember.partitions {
            #expect(
                resumedByVictim[partition]?.first == released[partition]?.first,
                "partition \(partition): released at \(String(describing: released[partition])), resumed at \(String(describing: resumedByVictim[partition]))")
        }

        // Traffic keeps flowing; once the victim has committed flushes of its own and trails
        // the log on one of its partitions, it dies. Proof that the kill landed mid-flight:
        // records the broker held before the kill are above what the shards hold after it
        // (nobody can move the victim's partitions until its session runs out, 3 s).
        var victimFlushes = 0.0
        var latestBeforeKill: [Int32: Int64] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            try writer.append(lines: 400)
            try await Task.sleep(for: .milliseconds(100))
            victimFlushes = (try? await victim.metrics().total("edgelog_consumer_flushes_total")) ?? 0
            latestBeforeKill = try await rig.latestOffsets()
            let progress = try rig.progress()
            let trailing = victimMember.partitions.contains { partition in
                progress.contains { ($0[partition] ?? 0) < (latestBeforeKill[partition] ?? 0) }
            }
            if victimFlushes >= 12, trailing { break }
        }
        let message = "partition assigned by the group resumes"
        let resumedBeforeKill = Self.loggedOffsets(in: survivor.logs(), message: message)
        try await victim.kill9()
        let killedAt = ContinuousClock.now
        let progressAtKill = try rig.progress()
        let behind = victimMember.partitions.filter { partition in
            progressAtKill.contains { ($0[partition] ?? 0) < (latestBeforeKill[partition] ?? 0) }
        }
        #expect(victimFlushes >= 12, "the victim committed flushes before its kill: \(victimFlushes)")
        #expect(
            !behind.isEmpty,
            "killed mid-flight: shards \(progressAtKill) below the end before the kill \(latestBeforeKill)")

        try writer.append(lines: 3_000)
        let alone = try await Self.waitForGroup(rig, group: group, members: 1, logs: { survivor.logs() })
        let tookOver = ContinuousClock.now - killedAt
        #expect(alone.first?.memberID == survivorMember.memberID && alone.first?.partitions == [0, 1, 2, 3], "\(alone)")
        #expect(tookOver >= .seconds(1), "taken over after the victim's session ran out, not before: \(tookOver)")
        // The survivor resumed each of the victim's partitions where the shards had it: the
        // smallest progress over shards at the kill (DESIGN §10.6), read from its own log lines.
        // (The broker shows the group stable before the survivor has read the shards: wait
        // for the survivor's new line for each of them.)
        var resumed: [Int32: [Int64]] = [:]
        for _ in 0..<100 {
            resumed = Self.loggedOffsets(in: survivor.logs(), message: message)
            let logged = victimMember.partitions.allSatisfy {
                (resumed[$0]?.count ?? 0) > (resumedBeforeKill[$0]?.count ?? 0)
            }
            if logged { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for partition in victimMember.partitions {
            let smallest = progressAtKill.map { $0[partition] ?? 0 }.min()
            #expect(resumed[partition]?.last == smallest, "partition \(partition) resumed at \(String(describing: resumed[partition])), shards had \(progressAtKill)")
        }
        try writer.append(lines: 2_000)
        try await rig.waitUntilConsumed(timeout: .seconds(120), logs: { survivor.logs() + shipper.logs() })
        try await shipper.terminate()
        try await rig.waitUntilConsumed(timeout: .seconds(30), logs: { survivor.logs() })
        #expect(survivor.process?.isRunning == true, "\(survivor.logs())")
        try ConsumerPipelineTests.checkMinuteTotals(rig, writer.expected)

        // The member commits the progress under its generation: lag tools see the end.
        let end = try await rig.latestOffsets()
        var committed: [Int32: Int64] = [:]
        for _ in 0..<50 where committed != end {
            committed = try await rig.committedOffsets(group: group)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(committed == end, "group offsets \(committed), end \(end)")

        // A clean stop leaves the group: the broker shows it empty at once.
        #expect(try await survivor.terminate() == .exited(0), "SIGTERM exits 0\n\(survivor.logs())")
        let state = try await Self.describe(rig, group: group)
        #expect(state.state == "Empty", "\(state)")
    }

    /// A member that never rejoins holds the coordinator's join phase open (up to its session
    /// or the rebalance timeout); SIGTERM must not wait for it: the consumer leaves and exits 0.
    @Test func aStopDuringAParkedJoinExitsPromptly() async throws {
        let rig = try await PipelineRig(partitions: 2)
        defer { rig.remove() }
        let client = KafkaClient(configuration: try .init(bootstrap: rig.broker.bootstrap), logger: Logger(label: "idle"))
        _ = try await client.metadata(topics: [rig.topic], allowAutoTopicCreation: true)
        let idle = GroupMembership(
            client: client,
            configuration: .init(group: "parked", topics: [rig.topic], sessionTimeout: .seconds(30)),
            logger: Logger(label: "idle"))
        _ = try await idle.join()  // and never again: its heartbeats stop at the rebalance
        let consumer = rig.makeConsumer(["--group", "parked"])
        defer { consumer.remove() }
        try await consumer.start()
        try await Task.sleep(for: .seconds(2))
        let described = try await Self.describe(rig, group: "parked")
        #expect(described.state == "PreparingRebalance", "the consumer's join is parked: \(described)")
        #expect(!consumer.logs().contains("joined the consumer group"), "still parked\n\(consumer.logs())")
        let stopping = ContinuousClock.now
        #expect(try await consumer.terminate(timeout: .seconds(20)) == .exited(0), "\(consumer.logs())")
        #expect(ContinuousClock.now - stopping < .seconds(10), "did not wait for the parked join")
        await client.shutdown()
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

    /// Waits until the consumer committed `count` shard flushes; returns how many it did.
    @discardableResult
    static func waitForFlushes(_ consumer: ConsumerProcess, atLeast count: Double) async throws -> Double {
        let deadline = ContinuousClock.now + .seconds(30)
        var flushes = 0.0
        while ContinuousClock.now < deadline, flushes < count {
            flushes = (try? await consumer.metrics().total("edgelog_consumer_flushes_total")) ?? 0
            try await Task.sleep(for: .milliseconds(20))
        }
        return flushes
    }

    /// Partition → the offsets of a consumer's log lines with `message`, in order (the text
    /// log format the test processes write: `... offset=O partition=P ... [Module] message`).
    static func loggedOffsets(in logs: String, message: String) -> [Int32: [Int64]] {
        loggedValues(in: logs, message: message, field: "offset")
    }

    /// Partition → the values of `field` in the log lines with `message`, in order.
    static func loggedValues(in logs: String, message: String, field: String) -> [Int32: [Int64]] {
        var offsets: [Int32: [Int64]] = [:]
        for line in logs.split(separator: "\n") where line.hasSuffix(message) {
            let fields = line.split(separator: " ")
            func value(_ name: String) -> Substring? {
                fields.first { $0.hasPrefix(name + "=") }?.dropFirst(name.count + 1)
            }
            guard let partition = value("partition").flatMap({ Int32($0) }),
                let offset = value(field).flatMap({ Int64($0) })
            else { continue }
            offsets[partition, default: []].append(offset)
        }
        return offsets
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
