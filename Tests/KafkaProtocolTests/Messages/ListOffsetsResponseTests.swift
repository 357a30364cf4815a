import KafkaProtocol
import NIOCore
import Testing

struct ListOffsetsResponseTests {
    @Test func goldenV1() throws {
        let (response, body) = try goldenResponseBody("ListOffsetsResponse_v1", as: ListOffsetsResponse.self)
        let expected = ListOffsetsResponse(
            topics: [
                ListOffsetsResponse.Topic(
                    name: "t",
                    partitions: [ListOffsetsResponse.Partition(partitionIndex: 0, timestamp: -1, offset: 0)]
                )
            ])
        #expect(response == expected)
        #expect(try encodedBody(expected, version: 1) == body)
    }

    @Test func version2LeadsWithThrottle() throws {
        let response = ListOffsetsResponse(
            throttleTimeMs: 7,
            topics: [
                ListOffsetsResponse.Topic(
                    name: "t",
                    partitions: [
                        ListOffsetsResponse.Partition(
                            partitionIndex: 0,
                            errorCode: .unknownTopicOrPartition,
                            offset: -1
                        )
                    ]
                )
            ]
        )
        let v1 = try encodedBody(response, version: 1)
        #expect(try encodedBody(response, version: 2) == [0, 0, 0, 7] + v1)
        try expectRoundTrip(response) { response, version in
            var expected = response
            if version < 2 { expected.throttleTimeMs = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(response)
    }
}
