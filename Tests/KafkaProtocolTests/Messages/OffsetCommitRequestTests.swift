import KafkaProtocol
import NIOCore
import Testing

/// No golden sample exists for OffsetCommit; bytes are laid out by hand from LAYOUTS.md.
struct OffsetCommitRequestTests {
    static let request = OffsetCommitRequest(
        groupID: "g",
        generationID: 3,
        memberID: "m",
        retentionTimeMs: -1,
        topics: [
            OffsetCommitRequest.Topic(
                name: "t",
                partitions: [
                    OffsetCommitRequest.Partition(partitionIndex: 0, committedOffset: 42, committedMetadata: nil),
                    OffsetCommitRequest.Partition(partitionIndex: 1, committedOffset: 7, committedMetadata: "md"),
                ]
            )
        ]
    )

    static let bytes: [UInt8] =
        [0, 1, 0x67] + [0, 0, 0, 3] + [0, 1, 0x6D] + [UInt8](repeating: 0xFF, count: 8)
        + [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2]
        + [0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 42] + [0xFF, 0xFF]
        + [0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 7] + [0, 2, 0x6D, 0x64]

    @Test(arguments: OffsetCommitRequest.versions)
    func layout(_ version: Int16) throws {
        #expect(try encodedBody(Self.request, version: version) == Self.bytes)
        #expect(try decodedBody(OffsetCommitRequest.self, Self.bytes, version: version) == Self.request)
    }

    @Test func outsideRange() {
        expectVersionsOutsideRangeRejected(Self.request)
    }

    @Test func everyTruncationThrows() {
        for length in 0..<Self.bytes.count {
            #expect(throws: KafkaProtocolError.self) {
                try decodedBody(OffsetCommitRequest.self, Array(Self.bytes[..<length]), version: 2)
            }
        }
    }
}
