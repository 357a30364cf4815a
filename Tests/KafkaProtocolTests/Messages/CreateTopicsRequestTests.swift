import KafkaProtocol
import NIOCore
import Testing

/// No golden sample exists for CreateTopics; bytes are laid out by hand from
/// CreateTopicsRequest.json. Partition count, replication factor, partition indexes and broker
/// ids all differ, so a swapped field order shows.
struct CreateTopicsRequestTests {
    static let request = CreateTopicsRequest(
        topics: [
            .init(
                name: "a",
                numPartitions: 3,
                replicationFactor: 2,
                configs: [.init(name: "r", value: "7"), .init(name: "s", value: nil)]
            ),
            .init(
                name: "b",
                assignments: [
                    .init(partitionIndex: 0, brokerIDs: [1, 2]),
                    .init(partitionIndex: 4, brokerIDs: [5]),
                ]
            ),
        ],
        timeoutMs: 5_000,
        validateOnly: true
    )

    static let topics: [UInt8] =
        [0, 0, 0, 2]  // topics count
        + [0, 1, 0x61]  // name "a"
        + [0, 0, 0, 3]  // num_partitions 3
        + [0, 2]  // replication_factor 2
        + [0, 0, 0, 0]  // no assignments
        + [0, 0, 0, 2]  // configs count
        + [0, 1, 0x72] + [0, 1, 0x37]  // name "r", value "7"
        + [0, 1, 0x73] + [0xFF, 0xFF]  // name "s", null value
        + [0, 1, 0x62]  // name "b"
        + [0xFF, 0xFF, 0xFF, 0xFF]  // num_partitions -1
        + [0xFF, 0xFF]  // replication_factor -1
        + [0, 0, 0, 2]  // assignments count
        + [0, 0, 0, 0] + [0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]  // partition 0 on brokers 1, 2
        + [0, 0, 0, 4] + [0, 0, 0, 1, 0, 0, 0, 5]  // partition 4 on broker 5
        + [0, 0, 0, 0]  // no configs

    static let v0: [UInt8] =
        topics
        + [0, 0, 0x13, 0x88]  // timeout_ms 5000

    static let v1: [UInt8] =
        v0
        + [1]  // validate_only

    static func normalize(_ request: CreateTopicsRequest, _ version: Int16) -> CreateTopicsRequest {
        var expected = request
        if version < 1 { expected.validateOnly = false }
        return expected
    }

    @Test func layoutV0() throws {
        #expect(try encodedBody(Self.request, version: 0) == Self.v0)
        #expect(try decodedBody(CreateTopicsRequest.self, Self.v0, version: 0) == Self.normalize(Self.request, 0))
    }

    /// v1–v4 share one layout: validate_only after the timeout.
    @Test(arguments: 1...4 as ClosedRange<Int16>)
    func layoutV1ToV4(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.v1)
        #expect(try decodedBody(CreateTopicsRequest.self, Self.v1, version: version) == Self.request)
    }

    @Test func validateOnlyFalse() throws {
        var request = Self.request
        request.validateOnly = false
        #expect(try encodedBody(request, version: 4) == Self.v0 + [0])
        #expect(try decodedBody(CreateTopicsRequest.self, Self.v0 + [0], version: 4) == request)
    }

    @Test func defaults() {
        let request = CreateTopicsRequest(topics: [.init(name: "t")], timeoutMs: 1)
        #expect(request.validateOnly == false)
        #expect(request.topics[0].numPartitions == -1)
        #expect(request.topics[0].replicationFactor == -1)
        #expect(request.topics[0].assignments.isEmpty)
        #expect(request.topics[0].configs.isEmpty)
        #expect(CreateTopicsRequest.Config(name: "c").value == nil)
        #expect(CreateTopicsRequest.Assignment(partitionIndex: 0).brokerIDs.isEmpty)
    }

    @Test func roundTrip() throws {
        try expectRoundTrip(Self.request, normalize: Self.normalize)
        try expectRoundTrip(CreateTopicsRequest(timeoutMs: 0))
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        expectEveryTruncationThrows(CreateTopicsRequest.self, Self.v0, version: 0)
        expectEveryTruncationThrows(CreateTopicsRequest.self, Self.v1, version: 4)
    }

    @Test func nullTopicNameIsRejected() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0xFF, 0xFF] + [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: KafkaProtocolError.invalidLength(field: "CreatableTopic.name", length: -1)) {
            try decodedBody(CreateTopicsRequest.self, bytes, version: 0)
        }
    }

    @Test func hostileBrokerCountIsRejectedBeforeAllocating() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 1, 0x61, 0, 0, 0, 1, 0, 1]
            + [0, 0, 0, 1, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF]
        #expect(throws: KafkaProtocolError.truncated(field: "CreatableReplicaAssignment.broker_ids")) {
            try decodedBody(CreateTopicsRequest.self, bytes, version: 0)
        }
    }
}
