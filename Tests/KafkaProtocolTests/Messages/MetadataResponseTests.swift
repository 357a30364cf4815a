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
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }
}
