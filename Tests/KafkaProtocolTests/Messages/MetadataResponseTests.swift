import KafkaProtocol
import NIOCore
import Testing

struct MetadataResponseTests {
    static let golden = MetadataResponse(
        throttleTimeMs: 0,
        brokers: [MetadataResponse.Broker(nodeID: 1, host: "127.0.0.1", port: 9092, rack: nil)],
        clusterID: "swift-cluster",
        controllerID: 1,
        topics: [
            MetadataResponse.Topic(
                name: "t",
                partitions: [
                    MetadataResponse.Partition(partitionIndex: 0, leaderID: 1, replicaNodes: [1], isrNodes: [1])
                ]
            )
        ]
    )

    @Test func goldenV4() throws {
        let (response, body) = try goldenResponseBody("MetadataResponse_v4", as: MetadataResponse.self)
        #expect(response == Self.golden)
        #expect(try encodedBody(Self.golden, version: 4) == body)
    }

    /// v1 has neither throttle_time_ms (v3+) nor cluster_id (v2+).
    @Test func version1LaysOutWithoutThrottleAndClusterID() throws {
        let response = MetadataResponse(
            throttleTimeMs: 3,
            brokers: [MetadataResponse.Broker(nodeID: 2, host: "h", port: 1, rack: "r")],
            clusterID: "c",
            controllerID: 2,
            topics: [MetadataResponse.Topic(errorCode: .unknownTopicOrPartition, name: "x", partitions: [])]
        )
        let expected: [UInt8] = [
            0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x68, 0, 0, 0, 1, 0, 1, 0x72,  // brokers
            0, 0, 0, 2,  // controller
            0, 0, 0, 1, 0, 3, 0, 1, 0x78, 0, 0, 0, 0, 0,  // topic: error 3, "x", internal false, 0 partitions
        ]
        #expect(try encodedBody(response, version: 1) == expected)
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version < 3 { expected.throttleTimeMs = 0 }
            if version < 2 { expected.clusterID = nil }
            if version < 1 {
                expected.controllerID = -1
                for index in expected.brokers.indices { expected.brokers[index].rack = nil }
                for index in expected.topics.indices { expected.topics[index].isInternal = false }
            }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }

    /// v0 (kafka-python's probe after ApiVersions): no rack, no controller, no is_internal.
    @Test func version0LaysOutWithoutRackControllerAndInternal() throws {
        let response = MetadataResponse(
            throttleTimeMs: 0,
            brokers: [MetadataResponse.Broker(nodeID: 0, host: "h", port: 9092, rack: "r")],
            clusterID: "c",
            controllerID: 0,
            topics: [
                MetadataResponse.Topic(
                    name: "t", isInternal: true,
                    partitions: [
                        MetadataResponse.Partition(partitionIndex: 0, leaderID: 0, replicaNodes: [0], isrNodes: [0])
                    ])
            ]
        )
        let expected: [UInt8] = [
            0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0x68, 0, 0, 0x23, 0x84,  // brokers: node 0, "h", 9092
            0, 0, 0, 1, 0, 0, 0, 1, 0x74,  // topic: error 0, "t"
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // one partition: error 0, index 0, leader 0
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,  // replicas [0], isr [0]
        ]
        #expect(try encodedBody(response, version: 0) == expected)
        let decoded = try decodedBody(MetadataResponse.self, expected, version: 0)
        #expect(decoded.controllerID == -1)
        #expect(decoded.brokers.first?.rack == nil)
        #expect(decoded.topics.first?.isInternal == false)
        #expect(decoded.topics.first?.partitions.first?.isrNodes == [0])
    }
}
