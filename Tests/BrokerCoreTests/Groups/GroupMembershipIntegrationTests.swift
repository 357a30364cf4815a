import Foundation
import KafkaProtocol
import PipelineTestSupport
import Testing

/// Consumer groups against the real `edgelog-broker` process: `kcat -G` members (librdkafka's
/// classic group consumer) split a topic's partitions and take a dead member's over; a group
/// resumes at its committed offsets across a broker kill -9; a member with a stale generation
/// is refused and rejoins.
@Suite(.serialized, .integration)
struct GroupMembershipIntegrationTests {
    /// Short timeouts so a dead member is noticed in seconds (issue 14's "Done when").
    static let memberSettings = [
        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "auto.offset.reset=earliest",
    ]

    static func produce(_ broker: BrokerProcess, topic: String, partition: Int, lines: [String]) async throws {
        let produced = try await broker.kcat(
            ["-P", "-t", topic, "-p", "\(partition)"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(produced.status == 0, "kcat -P: \(produced.stderrText)")
    }

    /// A `kcat -G` member printing `partition offset value` per message (`-u`: unbuffered, so
    /// a running member's output can be read).
    static func member(_ broker: BrokerProcess, group: String, topic: String, extra: [String] = []) throws -> ManagedProcess {
        try ManagedProcess.start(
            executable: try ExternalTool.locate("kcat"),
            arguments: ["-b", broker.bootstrap, "-G", group, "-u", "-f", "%p %o %s\\n"] + memberSettings + extra + [topic])
    }

    /// The partitions of the member's latest assignment, from kcat's "rebalanced ... assigned:"
    /// lines on stderr (`nil` before the first).
    static func assignment(of member: ManagedProcess, topic: String) -> Set<Int>? {
        let lines = member.stderrText().split(separator: "\n").filter { $0.contains("assigned:") }
        guard let last = lines.last else { return nil }
        let pattern = "\(topic) ["
        var partitions = Set<Int>()
        var rest = last[...]
        while let range = rest.range(of: pattern) {
            rest = rest[range.upperBound...]
            if let close = rest.firstIndex(of: "]"), let partition = Int(rest[..<close]) { partitions.insert(partition) }
        }
        return partitions
    }

    static func waitUntil(
        timeout: Duration, _ what: String, _ condition: () -> Bool
    ) async throws -> Duration {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > timeout { throw WaitTimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return ContinuousClock.now - start
    }

    struct WaitTimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// The (partition, offset) pairs a member printed.
    static func consumed(by member: ManagedProcess) -> [String] {
        member.stdoutText().split(separator: "\n").map(String.init)
    }

    @Test func twoMembersSplitThePartitionsAndTheSurvivorTakesOverADeadOnesShare() async throws {
        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        for partition in 0..<4 {
            try await Self.produce(broker, topic: "split", partition: partition, lines: ["before \(partition)"])
        }
        let first = try Self.member(broker, group: "readers", topic: "split")
        defer { first.stop() }
        let second = try Self.member(broker, group: "readers", topic: "split")
        defer { second.stop() }
        let logs = { "first:\n\(first.logs())\nsecond:\n\(second.logs())\nbroker:\n\(broker.logs())" }
        do {
            _ = try await Self.waitUntil(timeout: .seconds(30), "a split of the 4 partitions") {
                guard let a = Self.assignment(of: first, topic: "split"), let b = Self.assignment(of: second, topic: "split")
                else { return false }
                return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == [0, 1, 2, 3]
            }
        } catch {
            Issue.record("\(error)\n\(logs())")
            return
        }
        // Every partition's first message reached exactly one member.
        _ = try? await Self.waitUntil(timeout: .seconds(10), "the first messages") {
            Self.consumed(by: first).count + Self.consumed(by: second).count >= 4
        }
        let values = (Self.consumed(by: first) + Self.consumed(by: second)).map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) ?? "" }
        #expect(values.sorted() == (0..<4).map { "before \($0)" }, "\(logs())")

        // The first member dies without leaving: the survivor owns all 4 within the session
        // timeout (6 s) + a heartbeat interval (0.5 s) + a margin.
        let ownedByFirst = Self.assignment(of: first, topic: "split") ?? []
        first.kill9()
        _ = try await first.waitForExit(timeout: .seconds(10))
        let takeover = try await Self.waitUntil(timeout: .seconds(20), "the survivor owning all 4 partitions") {
            Self.assignment(of: second, topic: "split") == [0, 1, 2, 3]
        }
        #expect(takeover < .seconds(6) + .milliseconds(500) + .seconds(2), "took \(takeover)\n\(logs())")
        // It keeps consuming: a message on a partition the dead member owned reaches it.
        let orphan = try #require(ownedByFirst.min())
        try await Self.produce(broker, topic: "split", partition: orphan, lines: ["after on \(orphan)"])
        _ = try await Self.waitUntil(timeout: .seconds(15), "the survivor reading the dead member's partition") {
            Self.consumed(by: second).contains { $0.hasSuffix("after on \(orphan)") }
        }
        #expect(try await broker.terminate() == .exited(0))
    }

    @Test func aGroupResumesAtItsCommittedOffsetsAfterTheBrokerIsKilled() async throws {
        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        for partition in 0..<4 {
            try await Self.produce(
                broker, topic: "resume", partition: partition, lines: (0..<250).map { "p\(partition)-\($0)" })
        }
        // Reads half the topic (500 of 1000), commits on close, stops.
        let reader = try Self.member(broker, group: "resumers", topic: "resume", extra: ["-c", "500"])
        defer { reader.stop() }
        let exit = try await reader.waitForExit(timeout: .seconds(60))
        #expect(exit == .exited(0), "\(reader.logs())")
        let firstHalf = Self.consumed(by: reader)
        #expect(firstHalf.count == 500, "\(reader.logs())")

        // Kill -9 mid-life (the broker has just written the commit) and restart on the same data.
        try await broker.kill9()
        try await broker.start()
        let rest = try Self.member(broker, group: "resumers", topic: "resume", extra: ["-e"])
        defer { rest.stop() }
        let restExit = try await rest.waitForExit(timeout: .seconds(60))
        #expect(restExit == .exited(0), "\(rest.logs())")
        let secondHalf = Self.consumed(by: rest)
        let values = (firstHalf + secondHalf).map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(values.count == 1000, "first \(firstHalf.count), then \(secondHalf.count)\n\(rest.logs())")
        #expect(Set(values).count == 1000, "a record was read twice")
        #expect(Set(values) == Set((0..<4).flatMap { partition in (0..<250).map { "p\(partition)-\($0)" } }))
        #expect(try await broker.terminate() == .exited(0))
    }

    @Test func aStaleGenerationIsRefusedAndTheMemberRejoins() async throws {
        let broker = try BrokerProcess(partitions: 1)
        defer { broker.remove() }
        try await broker.start()
        try await Self.produce(broker, topic: "stale", partition: 0, lines: ["x"])
        let client = try KafkaSocketClient(port: broker.port)
        func join(_ memberID: String) async throws -> JoinGroupResponse {
            try await client.request(
                JoinGroupRequest(
                    groupID: "g", sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, memberID: memberID,
                    protocolType: "consumer", protocols: [.init(name: "range", metadata: [0, 1])]),
                version: 3)
        }
        let first = try await join("")
        #expect(first.errorCode == .none)
        #expect(first.generationID == 1 && first.leader == first.memberID && !first.memberID.isEmpty)
        let member = first.memberID
        let synced = try await client.request(
            SyncGroupRequest(groupID: "g", generationID: 1, memberID: member, assignments: [.init(memberID: member, assignment: [7])]),
            version: 2)
        #expect(synced.errorCode == .none && synced.assignment == [7])
        // Rejoining makes generation 2; generation 1 is stale from then on.
        let second = try await join(member)
        #expect(second.generationID == 2)
        let staleBeat = try await client.request(
            HeartbeatRequest(groupID: "g", generationID: 1, memberID: member), version: 2)
        #expect(staleBeat.errorCode == .illegalGeneration)
        let staleCommit = try await client.request(
            OffsetCommitRequest(
                groupID: "g", generationID: 1, memberID: member,
                topics: [.init(name: "stale", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]),
            version: 3)
        #expect(staleCommit.topics.first?.partitions.first?.errorCode == .illegalGeneration)
        let unknown = try await client.request(
            HeartbeatRequest(groupID: "g", generationID: 2, memberID: "somebody-else"), version: 2)
        #expect(unknown.errorCode == .unknownMemberId)
        // With the current generation everything works again.
        let resynced = try await client.request(
            SyncGroupRequest(groupID: "g", generationID: 2, memberID: member, assignments: [.init(memberID: member, assignment: [8])]),
            version: 2)
        #expect(resynced.errorCode == .none && resynced.assignment == [8])
        #expect(try await client.request(HeartbeatRequest(groupID: "g", generationID: 2, memberID: member), version: 2).errorCode == .none)
        let commit = try await client.request(
            OffsetCommitRequest(
                groupID: "g", generationID: 2, memberID: member,
                topics: [.init(name: "stale", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]),
            version: 3)
        #expect(commit.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        // The group tools see it: ListGroups and DescribeGroups.
        let listed = try await client.request(ListGroupsRequest(), version: 2)
        #expect(listed.groups.map(\.groupID) == ["g"] && listed.groups.first?.protocolType == "consumer")
        let described = try await client.request(DescribeGroupsRequest(groups: ["g", "nobody"]), version: 4)
        #expect(described.groups.map(\.groupState) == ["Stable", "Dead"])
        #expect(described.groups.first?.members.map(\.memberID) == [member])
        #expect(described.groups.first?.members.first?.memberAssignment == [8])
        #expect(described.groups.first?.protocolData == "range")
        let left = try await client.request(LeaveGroupRequest(groupID: "g", members: [.init(memberID: member)]), version: 2)
        #expect(left.errorCode == .none)
        let again = try await client.request(LeaveGroupRequest(groupID: "g", members: [.init(memberID: member)]), version: 2)
        #expect(again.errorCode == .unknownMemberId)
        // Empty again: only generation-less commits are taken.
        let emptyCommit = try await client.request(
            OffsetCommitRequest(
                groupID: "g", topics: [.init(name: "stale", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]),
            version: 3)
        #expect(emptyCommit.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        // Empty, it keeps the protocol type its members had (admin clients tell consumer groups
        // from offsets committed without a group by it); a group that never had members has "".
        let simpleCommit = try await client.request(
            OffsetCommitRequest(
                groupID: "simple", topics: [.init(name: "stale", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]),
            version: 3)
        #expect(simpleCommit.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        let listedEmpty = try await client.request(ListGroupsRequest(), version: 2)
        #expect(listedEmpty.groups.map(\.groupID) == ["g", "simple"])
        #expect(listedEmpty.groups.map(\.protocolType) == ["consumer", ""])
        let describedEmpty = try await client.request(DescribeGroupsRequest(groups: ["g", "simple"]), version: 4)
        #expect(describedEmpty.groups.map(\.groupState) == ["Empty", "Empty"])
        #expect(describedEmpty.groups.map(\.protocolType) == ["consumer", ""])
        #expect(try await broker.terminate() == .exited(0))
    }
}
