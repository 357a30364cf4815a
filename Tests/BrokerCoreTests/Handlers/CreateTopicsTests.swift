import BrokerCore
import KafkaProtocol
import Testing

/// CreateTopics through the dispatcher: the requested count, validate-only, and each refusal
/// with its Kafka error code — including the `admin-requests` switch and a cluster map.
struct CreateTopicsTests {
    static func create(
        _ topics: [CreateTopicsRequest.Topic], validateOnly: Bool = false, on broker: TestNode
    ) throws -> [KafkaErrorCode] {
        try broker.roundTrip(CreateTopicsRequest(topics: topics, timeoutMs: 1000, validateOnly: validateOnly), version: 4)
            .topics.map(\.errorCode)
    }

    @Test func topicsAreCreatedWithTheirCountOrRefusedWithTheRightCode() throws {
        let broker = try TestNode {
            $0.defaultPartitions = 2
            $0.maxPartitions = 20
        }
        let codes = try Self.create(
            [
                .init(name: "five", numPartitions: 5), .init(name: "default"), .init(name: "zero", numPartitions: 0),
                .init(name: "replicated", numPartitions: 1, replicationFactor: 3),
                .init(name: "assigned", assignments: [.init(partitionIndex: 0, brokerIDs: [0])]),
                .init(name: "configured", configs: [.init(name: "cleanup.policy", value: "compact")]),
                .init(name: "../bad", numPartitions: 1), .init(name: "huge", numPartitions: 50),
            ], on: broker)
        #expect(
            codes == [
                .none, .none, .invalidPartitions, .invalidReplicationFactor, .invalidReplicaAssignment, .invalidConfig,
                .invalidTopic, .policyViolation,
            ])
        #expect(broker.node.catalog.topics.map(\.name) == ["default", "five"])
        #expect(broker.node.catalog.partitions(of: "five")?.count == 5)
        #expect(broker.node.catalog.partitions(of: "default")?.count == 2)
        #expect(try Self.create([.init(name: "five", numPartitions: 5)], on: broker) == [.topicAlreadyExists])
        // Validate-only checks everything and creates nothing.
        #expect(try Self.create([.init(name: "later", numPartitions: 3)], validateOnly: true, on: broker) == [.none])
        #expect(try Self.create([.init(name: "five", numPartitions: 3)], validateOnly: true, on: broker) == [.topicAlreadyExists])
        #expect(broker.node.catalog.partitions(of: "later") == nil)
    }

    @Test func adminRequestsOffOrAClusterMapRefuseCreation() throws {
        let off = try TestNode { $0.adminRequests = .off }
        #expect(try Self.create([.init(name: "t", numPartitions: 3)], on: off) == [.clusterAuthorizationFailed])
        let mapped = try TestNode {
            $0.nodeID = 0
            $0.clusterMap = try? ClusterMap(parsing: "0=10.0.0.1:9092,1=10.0.0.2:9092")
            $0.clusterID = "edgelog-test"
        }
        #expect(try Self.create([.init(name: "t", numPartitions: 3)], on: mapped) == [.policyViolation])
        #expect(off.node.catalog.topics.isEmpty && mapped.node.catalog.topics.isEmpty)
    }
}

/// DeleteTopics through the dispatcher: only with `admin-requests all`; the topic's files go,
/// and a broker restarted on the same files does not bring it back.
struct DeleteTopicsTests {
    static func delete(_ names: [String], on broker: TestNode) throws -> [KafkaErrorCode] {
        try broker.roundTrip(DeleteTopicsRequest(topicNames: names, timeoutMs: 1000), version: 3).responses.map(\.errorCode)
    }

    @Test func aDeletedTopicIsGoneWithItsFilesAndStaysGone() throws {
        let broker = try TestNode { $0.adminRequests = .all }
        _ = try CreateTopicsTests.create([.init(name: "gone", numPartitions: 2), .init(name: "kept", numPartitions: 1)], on: broker)
        _ = try broker.roundTrip(
            TestRequests.produce(topic: "gone", partition: 1, records: TestRequests.batch(["a", "b"])), version: 7)
        #expect(broker.fileSystem.fileExists(atPath: "\(TestNode.dataDirectory)/gone-1"))
        try broker.node.committedOffsets.commit(
            group: "readers", [("gone", 1, .init(offset: 2, metadata: nil)), ("kept", 0, .init(offset: 0, metadata: nil))])
        #expect(try Self.delete(["gone", "never-was"], on: broker) == [.none, .unknownTopicOrPartition])
        // The group's commits of the deleted topic go with it; the others stay.
        #expect(broker.node.committedOffsets.committed(group: "readers").keys.sorted() == ["kept"])
        #expect(broker.node.catalog.topics.map(\.name) == ["kept"])
        #expect(!broker.fileSystem.fileExists(atPath: "\(TestNode.dataDirectory)/gone-0"))
        #expect(!broker.fileSystem.fileExists(atPath: "\(TestNode.dataDirectory)/gone-1"))
        let fetched = try broker.roundTrip(
            FetchRequest(
                maxWaitMs: 0, minBytes: 0,
                topics: [.init(name: "gone", partitions: [.init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]),
            version: 4)
        #expect(fetched.topics.first?.partitions.first?.errorCode == .unknownTopicOrPartition)
        // The same files opened again: the topic does not come back.
        broker.node.close()
        let restarted = try TestNode(fileSystem: broker.fileSystem) { $0.adminRequests = .all }
        #expect(restarted.node.catalog.topics.map(\.name) == ["kept"])
        #expect(restarted.node.committedOffsets.committed(group: "readers").keys.sorted() == ["kept"])
        // The name can be created again, empty.
        #expect(try CreateTopicsTests.create([.init(name: "gone", numPartitions: 1)], on: restarted) == [.none])
    }

    @Test func deletionIsOffUnlessAllAdminRequestsAreOn() throws {
        for setting in [BrokerConfiguration.AdminRequests.create, .off] {
            let broker = try TestNode { $0.adminRequests = setting }
            _ = try broker.roundTrip(
                TestRequests.produce(topic: "t", partition: 0, records: TestRequests.batch(["a"])), version: 7)
            #expect(try Self.delete(["t"], on: broker) == [.topicDeletionDisabled])
            #expect(broker.node.catalog.topics.map(\.name) == ["t"])
        }
    }
}
