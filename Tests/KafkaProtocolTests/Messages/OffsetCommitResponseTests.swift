import KafkaProtocol
import NIOCore
import Testing

struct OffsetCommitResponseTests {
    static let response = OffsetCommitResponse(
        throttleTimeMs: 5,
        topics: [
            OffsetCommitResponse.Topic(
                name: "t",
                partitions: [OffsetCommitResponse.Partition(partitionIndex: 2, errorCode: .rebalanceInProgress)]
            )
        ]
    )

    @Test func version3AddsThrottle() throws {
        let topics: [UInt8] = [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 2, 0, 27]
        #expect(try encodedBody(Self.response, version: 2) == topics)
        #expect(try encodedBody(Self.response, version: 3) == [0, 0, 0, 5] + topics)
        try expectRoundTrip(Self.response) { response, version in
            var expected = response
            if version < 3 { expected.throttleTimeMs = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(Self.response)
    }
}
