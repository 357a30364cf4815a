import KafkaProtocol
import NIOCore
import Testing

struct ProduceRequestTests {
    @Test func goldenV3() throws {
        let (header, request, _) = try goldenRequestBody("ProduceRequest_v3", as: ProduceRequest.self)
        #expect(header.apiVersion == 3)
        #expect(request.transactionalID == nil)
        #expect(request.acks == 1)
        #expect(request.expectsResponse)
        #expect(request.timeoutMs == 1000)
        #expect(request.topics.map(\.name) == ["t"])
        let partition = try #require(request.topics.first?.partitions.first)
        #expect(partition.index == 0)
        #expect(partition.records?.bytes == ReferenceVectors.recordBatch("uncompressed").bytes)
    }

    /// The records field is a view into the request frame, not a copy.
    @Test func recordsShareTheFrameStorage() throws {
        var frame = ReferenceVectors.wireSample("ProduceRequest_v3").frame
        _ = try RequestHeader(from: &frame)
        let whole = frame
        let request = try ProduceRequest(from: &frame, version: 3)
        let records = try #require(request.topics.first?.partitions.first?.records)
        let frameRange = whole.withUnsafeReadableBytes { raw in
            UInt(bitPattern: raw.baseAddress)..<UInt(bitPattern: raw.baseAddress) + UInt(raw.count)
        }
        let recordsStart = records.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(frameRange.contains(recordsStart))
    }

    @Test func acksZeroExpectsNoResponse() {
        #expect(!ProduceRequest(acks: 0, timeoutMs: 1, topics: []).expectsResponse)
        #expect(ProduceRequest(acks: -1, timeoutMs: 1, topics: []).expectsResponse)
    }

    /// v3–v7 are identical on the wire.
    @Test func allVersionsShareOneLayout() throws {
        let (_, request, body) = try goldenRequestBody("ProduceRequest_v3", as: ProduceRequest.self)
        for version in ProduceRequest.versions {
            #expect(try encodedBody(request, version: version) == body, "v\(version)")
        }
        let withNulls = ProduceRequest(
            transactionalID: "tx",
            acks: -1,
            timeoutMs: 30_000,
            topics: [ProduceRequest.Topic(name: "a", partitions: [ProduceRequest.Partition(index: 3, records: nil)])]
        )
        try expectRoundTrip(withNulls)
        expectVersionsOutsideRangeRejected(withNulls)
    }

    @Test func negativeRecordsLengthOtherThanNullThrows() {
        // transactional null, acks 1, timeout 0, 1 topic "t", 1 partition 0, records length -2.
        let bytes: [UInt8] = [
            0xFF, 0xFF, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFE,
        ]
        #expect(throws: KafkaProtocolError.invalidLength(field: "PartitionProduceData.records", length: -2)) {
            try decodedBody(ProduceRequest.self, bytes, version: 3)
        }
    }
}
