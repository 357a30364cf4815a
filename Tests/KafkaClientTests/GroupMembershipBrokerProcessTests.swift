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
    /// - Parameter current: the generation the member is in already (`nil`: join first).
    static func settle(
        _ member: GroupMembership, from current: GroupMembership.Generation? = nil, timeout: Duration = .seconds(30),
        until done: (GroupMembership.Generation) -> Bool
    ) async throws -> GroupMembership.Generation {
        let deadline = ContinuousClock.now + timeout
        var last = current
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
        async let bJoined = Self.settle(b) { $0.partitions[topic]?.count == 2 }
        let aSplit = try await Self.settle(a, from: alone) { $0.partitions[topic]?.count == 2 }
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
        #expect(group.members.map(\.clientHost) == ["/127.0.0.1", "/127.0.0.1"], "hosts as Kafka shows them")

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
        let survivor = try await Self.settle(a, from: aSplit) { $0.partitions[topic]?.count == 4 }
        let waited = ContinuousClock.now - started
        #expect(survivor.partitions == [topic: [0, 1, 2, 3]])
        #expect(waited >= .seconds(1), "taken over only once B's session (2 s) ran out: \(waited)")

        await a.leave()
        let left = try await connection.request(DescribeGroupsRequest(groups: ["g1"]))
        #expect(left.groups.first?.groupState == "Empty", "\(String(describing: left.groups.first))")
        await clientA.shutdown()
    }

    /// An edgelog member and a `kcat -G` member (librdkafka's classic consumer) share one
    /// group either way round: with kcat as the leader, librdkafka reads our subscription and
    /// we read its assignment; with us as the leader, kcat reads ours ("assigned:" on stderr).
    @Test(arguments: [true, false])
    func sharesAGroupWithKcat(kcatLeads: Bool) async throws {
        let broker = try BrokerProcess(partitions: 4)
        defer { broker.remove() }
        try await broker.start()
        let topic = "shared-\(UUID().uuidString.prefix(8))"
        let client = try Self.client(broker, "edgelog")
        try await Self.createTopic(client, topic)
        let group = "mixed-\(kcatLeads)"
        let member = GroupMembership(
            client: client, configuration: .init(group: group, topics: [topic], sessionTimeout: .seconds(6)),
            logger: Logger(label: "member"))
        let kcatArguments = [
            "-b", broker.bootstrap, "-G", group, "-u", "-X", "session.timeout.ms=6000", "-X",
            "heartbeat.interval.ms=500", topic,
        ]
        var kcat: ManagedProcess?
        defer { kcat?.stop() }
        var alone: GroupMembership.Generation?
        if kcatLeads {
            kcat = try ManagedProcess.start(executable: try ExternalTool.locate("kcat"), arguments: kcatArguments)
            for _ in 0..<100 where !(kcat?.stderrText().contains("assigned:") ?? false) {
                try await Task.sleep(for: .milliseconds(100))
            }
        } else {
            alone = try await member.join()
            #expect(alone?.isLeader == true)
            kcat = try ManagedProcess.start(executable: try ExternalTool.locate("kcat"), arguments: kcatArguments)
        }
        let ours = try await Self.settle(member, from: kcatLeads ? nil : alone) { generation in
            generation.partitions[topic]?.count == 2
        }
        #expect(ours.isLeader == !kcatLeads, "\(ours)")
        // The broker's view: two members, every partition once, ours as we were told.
        var described: [[String: [Int32]]] = []
        for _ in 0..<100 {
            let connection = try await client.connection()
            let answer = try await connection.request(DescribeGroupsRequest(groups: [group]))
            if let state = answer.groups.first, state.groupState == "Stable", state.members.count == 2 {
                described = try state.members.map { try ConsumerProtocolAssignment(bytes: $0.memberAssignment).partitions }
                if described.allSatisfy({ $0[topic]?.count == 2 }) { break }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(described.flatMap { $0[topic] ?? [] }.sorted() == [0, 1, 2, 3], "\(described)")
        #expect(described.contains(ours.partitions), "\(described) vs ours \(ours.partitions)")
        // kcat says it was assigned the other two.
        let kcatLog = kcat?.stderrText() ?? ""
        let others = Set(0..<4).subtracting((ours.partitions[topic] ?? []).map(Int.init))
        var kcatSaid = false
        for _ in 0..<100 {
            let lines = (kcat?.stderrText() ?? "").split(separator: "\n").filter { $0.contains("assigned:") }
            if let last = lines.last, others.allSatisfy({ last.contains("\(topic) [\($0)]") }),
                !(ours.partitions[topic] ?? []).contains(where: { last.contains("\(topic) [\($0)]") })
            {
                kcatSaid = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(kcatSaid, "kcat's assignment is the other half\n\(kcatLog)\n\(kcat?.stderrText() ?? "")")
        await member.leave()
        await client.shutdown()
    }
}
