import KafkaProtocol
import NIOCore
import Testing

struct ListOffsetsRequestTests {
    /// kcat -o beginning: timestamp -2.
    @Test func goldenV1Earliest() throws {
        let (_, request, _) = try goldenRequestBody("ListOffsetsRequest_v1_earliest", as: ListOffsetsRequest.self)
        #expect(request.replicaID == -1)
        #expect(request.topics.map(\.name) == ["t"])
        #expect(request.topics.first?.partitions == [ListOffsetsRequest.Partition(partitionIndex: 0, timestamp: -2)])
        #expect(request.topics.first?.partitions.first?.timestamp == ListOffsetsRequest.earliestTimestamp)
    }

    @Test func version2AddsIsolationLevel() throws {
        let request = ListOffsetsRequest(
            isolationLevel: 1,
            topics: [
                ListOffsetsRequest.Topic(
                    name: "t",
                    partitions: [ListOffsetsRequest.Partition(partitionIndex: 1, timestamp: -1)]
                )
            ]
        )
        let topics: [UInt8] = [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 1] + [UInt8](repeating: 0xFF, count: 8)
        #expect(try encodedBody(request, version: 1) == [0xFF, 0xFF, 0xFF, 0xFF] + topics)
        #expect(try encodedBody(request, version: 2) == [0xFF, 0xFF, 0xFF, 0xFF, 0x01] + topics)
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 2 { expected.isolationLevel = 0 }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }
}
