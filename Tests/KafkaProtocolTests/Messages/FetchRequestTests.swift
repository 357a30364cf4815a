import KafkaProtocol
import NIOCore
import Testing

struct FetchRequestTests {
    @Test func goldenV4() throws {
        let (header, request, _) = try goldenRequestBody("FetchRequest_v4", as: FetchRequest.self)
        #expect(header.apiVersion == 4)
        let expected = FetchRequest(
            replicaID: -1,
            maxWaitMs: 500,
            minBytes: 1,
            maxBytes: 52_428_800,
            isolationLevel: 0,
            topics: [
                FetchRequest.Topic(
                    name: "t",
                    partitions: [FetchRequest.Partition(partition: 0, fetchOffset: 0, partitionMaxBytes: 1_048_576)]
                )
            ]
        )
        #expect(request == expected)
    }

    /// v5 inserts log_start_offset between fetch_offset and partition_max_bytes.
    @Test func version5AddsLogStartOffset() throws {
        let request = FetchRequest(
            maxWaitMs: 1,
            minBytes: 2,
            maxBytes: 3,
            isolationLevel: 1,
            topics: [
                FetchRequest.Topic(
                    name: "t",
                    partitions: [
                        FetchRequest.Partition(partition: 4, fetchOffset: 5, logStartOffset: 6, partitionMaxBytes: 7)
                    ]
                )
            ]
        )
        let head: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0,
            4,
        ]
        let fetchOffset: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 5]
        let logStart: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 6]
        let maxBytes: [UInt8] = [0, 0, 0, 7]
        #expect(try encodedBody(request, version: 4) == head + fetchOffset + maxBytes)
        #expect(try encodedBody(request, version: 5) == head + fetchOffset + logStart + maxBytes)
        #expect(try encodedBody(request, version: 6) == head + fetchOffset + logStart + maxBytes)
        try expectRoundTrip(request) { request, version in
            var expected = request
            if version < 5 { expected.topics[0].partitions[0].logStartOffset = -1 }
            return expected
        }
        expectVersionsOutsideRangeRejected(request)
    }
}
