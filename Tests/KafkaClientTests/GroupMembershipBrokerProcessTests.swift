import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import PipelineTestSupport
import Testing

/// ``GroupMembership`` against the `edgelog-broker` executable: members split a topic's
/// partitions, a member that stops heartbeating loses them to the others after its session
/// timeout, commits are accepted only from the current generation, and a leave rebalances at once.
@Suite(.serialized, .integration)
struct GroupMembershipBrokerProcessTests {
    static func client(_ broker: BrokerProcess, _ label: String) throws -> KafkaClient {
        KafkaClient(configuration: try KafkaClient.Configuration(bootstrap: broker.bootstrap), logger: Logger(label: label))
    }

    /// Waits until `topic` exists with partitions (auto-created by the Metadata request).
    static func createTopic(_ client: KafkaClient, _ topic: String) async throws {
        for _ in 0..<50 {
            let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: true)
            if metadata.topics.contains(where: { $0.name == topic && $0.errorCode == .none && !$0.partitions.isEmpty }) {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("topic \(topic) was not created")
    }

    /// Joins `member` until the generation's assignment satisfies `done`, re-joining whenever
    /// the coordinator ends a generation (as the consumer loop does).
    static func settle(
        _ member: GroupMembership, timeout: Duration = .seconds(30),
        until done: (GroupMembership.Generation) -> Bool
    ) async throws -> GroupMembership.Generation {
        let deadline = ContinuousClock.now + timeout
        var last: GroupMembership.Generation?
        while ContinuousClock.now < deadline {
            if member.needsRejoin || last == nil {
                last = try await member.join()
            }
            if let last, done(last), !member.needsRejoin { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ShipperProcess.Failure(description: "no settled generation within \(timeout); last \(String(describing: last))")
    }

    @Test func twoMembersSplitThenTheSurvivorTakesAllAfterTheOthersSessionTimesOut() async throws {
        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        let topic = "group-\(UUID().uuidString.prefix(8))"
        let (clientA, clientB) = (try Self.client(broker, "a"), try Self.client(broker, "b"))
        try await Self.createTopic(clientA, topic)
        let configuration = GroupMembership.Configuration(group: "g1", topics: [topic], sessionTimeout: .seconds(2))
        let a = GroupMembership(client: clientA, configuration: configuration, logger: Logger(label: "member.a"))
        let b = GroupMembership(client: clientB, configuration: configuration, logger: Logger(label: "member.b"))

        // A joins alone: all four.
        let alone = try await a.join()
        #expect(alone.partitions == [topic: [0, 1, 2, 3]], "\(alone)")
        #expect(alone.isLeader)
        // B joins (parked until A rejoins, which A does once its heartbeat hears of the rebalance).
        async let bJoined = Self.settle(b) { _ in true }
        let aSplit = try await Self.settle(a) { $0.id > alone.id }
        let bSplit = try await bJoined
        #expect(aSplit.id == bSplit.id, "one generation: \(aSplit) \(bSplit)")
        let owned = (aSplit.partitions[topic] ?? []) + (bSplit.partitions[topic] ?? [])
        #expect(owned.sorted() == [0, 1, 2, 3], "split: \(aSplit.partitions) \(bSplit.partitions)")
        #expect(aSplit.partitions[topic]?.count == 2 && bSplit.partitions[topic]?.count == 2)

        // The broker's own view (DescribeGroups): Stable, two members, the same assignments.
        let connection = try await clientA.connection()
        let described = try await connection.request(DescribeGroupsRequest(groups: ["g1"]))
        let group = try #require(described.groups.first)
        #expect(group.groupState == "Stable" && group.protocolType == "consumer" && group.protocolData == "range", "\(group)")
        let brokerView = try group.members.map { try ConsumerProtocolAssignment(bytes: $0.memberAssignment).partitions }
        #expect(Set(brokerView) == Set([aSplit.partitions, bSplit.partitions]), "\(brokerView)")

        // Commits: the current generation's member may commit; a stale generation may not.
        try await a.commit(topic: topic, offsets: [aSplit.partitions[topic]?.first ?? 0: 5])
        let stale = OffsetCommitRequest(
            groupID: "g1", generationID: alone.id, memberID: aSplit.memberID,
            topics: [.init(name: topic, partitions: [.init(partitionIndex: 0, committedOffset: 9, committedMetadata: nil)])])
        let staleAnswer = try await connection.request(stale)
        #expect(staleAnswer.topics.first?.partitions.first?.errorCode == .illegalGeneration, "\(staleAnswer)")

        // B goes silent (its client shuts down, no leave): after its session A owns everything.
        await clientB.shutdown()
        let started = ContinuousClock.now
        let survivor = try await Self.settle(a) { $0.partitions[topic]?.count == 4 }
        let waited = ContinuousClock.now - started
        #expect(survivor.partitions == [topic: [0, 1, 2, 3]])
        #expect(waited >= .seconds(1), "taken over only once B's session (2 s) ran out: \(waited)")

        await a.leave()
        let left = try await connection.request(DescribeGroupsRequest(groups: ["g1"]))
        #expect(left.groups.first?.groupState == "Empty", "\(String(describing: left.groups.first))")
        await clientA.shutdown()
    }
}
