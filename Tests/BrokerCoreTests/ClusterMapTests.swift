import BrokerCore
import KafkaProtocol
import NIOCore
import NIOEmbedded
import Testing

/// Several brokers under one static map: the map's rules (leaders, coordinator), its parsing
/// errors, and what each broker answers for partitions and groups it does not own.
struct ClusterMapTests {
    static let map = "2=10.0.0.3:9094, 0=10.0.0.1:9092,1=10.0.0.2:9093"

    @Test func partitionsGoRoundRobinOverTheBrokersByID() throws {
        let map = try ClusterMap(parsing: Self.map)
        #expect(map.brokers.map(\.id) == [0, 1, 2])
        #expect((0..<7).map { map.leader(of: Int32($0)).id } == [0, 1, 2, 0, 1, 2, 0])
        #expect(map.coordinator.id == 0 && map.coordinator.host == "10.0.0.1" && map.coordinator.port == 9092)
    }

    @Test func ipv6AddressesGoInBrackets() throws {
        let map = try ClusterMap(parsing: "0=[2001:db8::7]:9092,1=[::1]:9093,2=h:9094")
        #expect(map.brokers.map(\.host) == ["2001:db8::7", "::1", "h"])
        #expect(map.brokers.map(\.port) == [9092, 9093, 9094])
        #expect(throws: BrokerError.self) { _ = try ClusterMap(parsing: "0=2001:db8::7:9092") }
        #expect(throws: BrokerError.self) { _ = try ClusterMap(parsing: "0=[::1]9092") }
    }

    @Test func badMapsAreRefusedWithTheEntry() {
        for (text, words) in [
            ("", "empty"), ("0=host", "\"0=host\""), ("x=h:1", "\"x=h:1\""), ("0=h:99999", "\"0=h:99999\""),
            ("0=h:1,0=g:2", "twice"), ("-1=h:1", "\"-1=h:1\""),
        ] {
            #expect {
                _ = try ClusterMap(parsing: text)
            } throws: { error in
                "\(error)".contains(words)
            }
        }
    }

    @Test func aBrokerMissingFromItsOwnMapIsRefused() throws {
        var configuration = BrokerConfiguration(dataDirectory: "/tmp/x", nodeID: 5)
        configuration.clusterMap = try ClusterMap(parsing: Self.map)
        #expect(throws: BrokerError.self) { try configuration.validate() }
        configuration.nodeID = 1
        #expect(throws: BrokerError.self) { try configuration.validate() }  // a map needs a cluster id
        configuration.clusterID = "edgelog-test"
        try configuration.validate()
    }

    /// Broker 1 of the map: Metadata lists all three and each partition's leader; it takes
    /// produce, fetch and list-offsets only for its own partitions (1 and 4), and sends group
    /// requests to the coordinator, broker 0.
    @Test func aBrokerAnswersForItsOwnPartitionsAndPointsToTheRest() throws {
        let map = try ClusterMap(parsing: Self.map)
        let broker = try TestNode {
            $0.nodeID = 1
            $0.clusterMap = map
            $0.clusterID = "edgelog-test"
            $0.defaultPartitions = 6
        }
        broker.node.listenerBound(port: 9093)
        let metadata = try broker.roundTrip(MetadataRequest(topics: ["t"]), version: 4)
        #expect(metadata.brokers.map(\.nodeID) == [0, 1, 2])
        #expect(metadata.brokers.map(\.host) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(metadata.brokers.map(\.port) == [9092, 9093, 9094])
        #expect(metadata.controllerID == 0)
        #expect(metadata.topics.first?.partitions.map(\.leaderID) == [0, 1, 2, 0, 1, 2])

        let produced: [KafkaErrorCode?] = try (0..<6).map { partition in
            try broker.roundTrip(
                TestRequests.produce(topic: "t", partition: Int32(partition), records: TestRequests.batch(["x"])), version: 7
            ).topics.first?.partitions.first?.errorCode
        }
        let none = KafkaErrorCode.none
        #expect(produced == [.notLeaderOrFollower, none, .notLeaderOrFollower, .notLeaderOrFollower, none, .notLeaderOrFollower])
        let fetched = try broker.roundTrip(
            FetchRequest(
                maxWaitMs: 0, minBytes: 0,
                topics: [
                    .init(
                        name: "t",
                        partitions: [
                            .init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20),
                            .init(partition: 4, fetchOffset: 0, partitionMaxBytes: 1 << 20),
                        ])
                ]),
            version: 4)
        #expect(fetched.topics.first?.partitions.map(\.errorCode) == [.notLeaderOrFollower, none])
        let listed = try broker.roundTrip(
            ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 2, timestamp: -1), .init(partitionIndex: 1, timestamp: -1)])]),
            version: 1)
        #expect(listed.topics.first?.partitions.map(\.errorCode) == [.notLeaderOrFollower, none])
        #expect(listed.topics.first?.partitions.last?.offset == 1)

        let coordinator = try broker.roundTrip(FindCoordinatorRequest(key: "g"), version: 0)
        #expect(coordinator.nodeID == 0 && coordinator.host == "10.0.0.1" && coordinator.port == 9092)
        let beat = try broker.roundTrip(HeartbeatRequest(groupID: "g", generationID: 1, memberID: "m"), version: 1)
        #expect(beat.errorCode == .notCoordinator)
        let commit = try broker.roundTrip(
            OffsetCommitRequest(groupID: "g", topics: [.init(name: "t", partitions: [.init(partitionIndex: 1, committedOffset: 1)])]),
            version: 2)
        #expect(commit.topics.first?.partitions.first?.errorCode == .notCoordinator)
    }
}
