import KafkaClient
import KafkaProtocol
import Testing

/// ``ClusterView``: routes from Metadata, the bootstrap alias that keeps single-broker setups on
/// one connection, and stale topics.
struct ClusterViewTests {
    let bootstrap = BrokerAddress(host: "127.0.0.1", port: 9092)

    func metadata(brokers: [(Int32, String, Int32)], leaders: [Int32], topic: String = "t") -> MetadataResponse {
        MetadataResponse(
            brokers: brokers.map { MetadataResponse.Broker(nodeID: $0.0, host: $0.1, port: $0.2) },
            clusterID: "c",
            controllerID: brokers.first?.0 ?? -1,
            topics: [
                MetadataResponse.Topic(
                    name: topic,
                    partitions: leaders.enumerated().map {
                        MetadataResponse.Partition(
                            partitionIndex: Int32($0.offset), leaderID: $0.element, replicaNodes: [$0.element],
                            isrNodes: [$0.element])
                    })
            ])
    }

    @Test func partitionsRouteToTheirLeadersAndTheBootstrapAddressIsAliased() {
        var view = ClusterView(bootstrap: bootstrap)
        #expect(view.route(to: TopicPartition(topic: "t", partition: 0)) == nil, "nothing known yet")
        view.update(
            from: metadata(
                brokers: [(0, "127.0.0.1", 9092), (1, "127.0.0.1", 9093), (2, "127.0.0.1", 9094)],
                leaders: [0, 1, 2, 0, 1, -1]))
        let routes = (0..<6).map { view.route(to: TopicPartition(topic: "t", partition: Int32($0))) }
        #expect(routes == [.bootstrap, .node(1), .node(2), .bootstrap, .node(1), nil])
        #expect(view.address(of: .node(2)) == BrokerAddress(host: "127.0.0.1", port: 9094))
        #expect(view.everyRoute == [.bootstrap, .node(1), .node(2)])
        #expect(view.route(to: TopicPartition(topic: "other", partition: 0)) == nil)
    }

    @Test func aSingleBrokerIsReachedOverTheBootstrapWhateverItAdvertises() {
        var view = ClusterView(bootstrap: bootstrap)
        view.update(from: metadata(brokers: [(7, "edge-collector.internal", 19092)], leaders: [7, 7]))
        #expect(view.route(to: TopicPartition(topic: "t", partition: 1)) == .bootstrap)
        #expect(view.everyRoute == [.bootstrap])
    }

    @Test func aNewAnswerReplacesTheTopicsLeadersAndClearsItsStaleMark() {
        var view = ClusterView(bootstrap: bootstrap)
        let brokers: [(Int32, String, Int32)] = [(0, "127.0.0.1", 9092), (1, "127.0.0.1", 9093)]
        view.update(from: metadata(brokers: brokers, leaders: [0, 1, 0]))
        view.markStale("t")
        #expect(view.isStale("t"))
        view.update(from: metadata(brokers: brokers, leaders: [1, 1]))
        #expect(!view.isStale("t"))
        #expect(view.route(to: TopicPartition(topic: "t", partition: 0)) == .node(1))
        #expect(view.route(to: TopicPartition(topic: "t", partition: 2)) == nil, "a partition no longer listed")
    }

    @Test func aTopicAnsweredWithAnErrorLosesItsRoutes() {
        var view = ClusterView(bootstrap: bootstrap)
        let brokers: [(Int32, String, Int32)] = [(0, "127.0.0.1", 9092), (1, "127.0.0.1", 9093)]
        view.update(from: metadata(brokers: brokers, leaders: [1]))
        var failed = metadata(brokers: brokers, leaders: [])
        failed.topics[0].errorCode = .unknownTopicOrPartition
        view.update(from: failed)
        #expect(view.route(to: TopicPartition(topic: "t", partition: 0)) == nil)
    }

    @Test func aCoordinatorLearnedOutsideMetadataIsRoutable() {
        var view = ClusterView(bootstrap: bootstrap)
        view.update(from: metadata(brokers: [(0, "127.0.0.1", 9092), (1, "127.0.0.1", 9093)], leaders: [0]))
        view.learn(node: 4, at: BrokerAddress(host: "::1", port: 9099))
        #expect(view.route(toNode: 4) == .node(4))
        #expect(view.address(of: .node(4))?.description == "[::1]:9099")
    }
}
