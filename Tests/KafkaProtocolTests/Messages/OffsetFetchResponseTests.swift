import KafkaProtocol
import NIOCore
import Testing

struct OffsetFetchResponseTests {
    /// Nothing committed: offset -1, metadata "", error 0 (README §5).
    static let response = OffsetFetchResponse(
        throttleTimeMs: 4,
        topics: [
            OffsetFetchResponse.Topic(
                name: "t",
                partitions: [OffsetFetchResponse.Partition(partitionIndex: 0, committedOffset: -1, metadata: "")]
            )
        ],
        errorCode: .notCoordinator
    )

    @Test func layoutPerVersion() throws {
        let topics: [UInt8] =
            [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8) + [0, 0, 0, 0]
        #expect(try encodedBody(Self.response, version: 1) == topics)
        #expect(try encodedBody(Self.response, version: 2) == topics + [0, 16])
        #expect(try encodedBody(Self.response, version: 3) == [0, 0, 0, 4] + topics + [0, 16])
        try expectRoundTrip(Self.response) { response, version in
            var expected = response
            if version < 3 { expected.throttleTimeMs = 0 }
            if version < 2 { expected.errorCode = .none }
            return expected
        }
        expectVersionsOutsideRangeRejected(Self.response)
    }

    @Test func nullMetadataRoundTrips() throws {
        let response = OffsetFetchResponse(
            topics: [
                OffsetFetchResponse.Topic(
                    name: "t",
                    partitions: [OffsetFetchResponse.Partition(partitionIndex: 1, committedOffset: 9, metadata: nil)]
                )
            ])
        try expectRoundTrip(response)
    }
}
