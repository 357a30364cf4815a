import KafkaProtocol
import NIOCore
import Testing

struct OffsetFetchRequestTests {
    @Test func layout() throws {
        let request = OffsetFetchRequest(
            groupID: "g",
            topics: [OffsetFetchRequest.Topic(name: "t", partitionIndexes: [0, 5])]
        )
        let bytes: [UInt8] = [0, 1, 0x67, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5]
        for version in OffsetFetchRequest.versions {
            #expect(try encodedBody(request, version: version) == bytes)
            #expect(try decodedBody(OffsetFetchRequest.self, bytes, version: version) == request)
        }
        expectVersionsOutsideRangeRejected(request)
    }

    /// Null topics ("all partitions") exist from v2 only.
    @Test func nullTopicsNeedVersion2() throws {
        let all = OffsetFetchRequest(groupID: "g", topics: nil)
        let bytes: [UInt8] = [0, 1, 0x67, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try encodedBody(all, version: 2) == bytes)
        #expect(try decodedBody(OffsetFetchRequest.self, bytes, version: 3) == all)
        #expect(throws: KafkaProtocolError.self) { try encodedBody(all, version: 1) }
        #expect(throws: KafkaProtocolError.invalidLength(field: "OffsetFetchRequest.topics", length: -1)) {
            try decodedBody(OffsetFetchRequest.self, bytes, version: 1)
        }
    }
}
