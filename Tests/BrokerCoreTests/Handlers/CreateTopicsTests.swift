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
        }
        #expect(try Self.create([.init(name: "t", numPartitions: 3)], on: mapped) == [.policyViolation])
        #expect(off.node.catalog.topics.isEmpty && mapped.node.catalog.topics.isEmpty)
    }
}
