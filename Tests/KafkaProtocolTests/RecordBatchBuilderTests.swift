import PipelineTestSupport
import KafkaProtocol
import NIOCore
import Testing

struct RecordBatchBuilderTests {
    /// The two records of record_batches.json, appended as kafka-python did.
    static func builder(for vector: ReferenceVectors.BatchVector) -> RecordBatchBuilder {
        var builder = RecordBatchBuilder(
            baseOffset: vector.baseOffset,
            partitionLeaderEpoch: vector.partitionLeaderEpoch,
            producerID: vector.producerID,
            producerEpoch: vector.producerEpoch,
            baseSequence: vector.baseSequence
        )
        for record in vector.decoded {
            builder.append(
                timestamp: record.timestamp,
                key: record.key.map { Array($0.utf8) },
                value: record.value.map { Array($0.utf8) },
                headers: record.headers.map { RecordHeader(key: $0[0], value: Array($0[1].utf8)) }
            )
        }
        return builder
    }

    /// Byte-identical to kafka-python's DefaultRecordBatchBuilder, CRC included.
    @Test(arguments: ["uncompressed", "uncompressed_big", "uncompressed_idempotent"])
    func uncompressedMatchesGoldenBytes(_ name: String) throws {
        let vector = ReferenceVectors.recordBatch(name)
        let builder = Self.builder(for: vector)
        #expect(builder.uncompressedRecordsByteCount == vector.recordsSection.count)
        #expect(try builder.build().bytes == vector.bytes)
    }

    /// The LZ4 batch: records section through the codec seam, attributes 3, CRC 0x0b55774b.
    @Test func lz4MatchesGoldenBytes() throws {
        let vector = ReferenceVectors.recordBatch("lz4_kafka_python")
        let built = try Self.builder(for: vector).build(compression: .lz4, codec: ReferenceLZ4Codec())
        #expect(built.bytes == vector.bytes)
    }

    @Test func compressionNeedsAMatchingCodec() {
        let builder = Self.builder(for: ReferenceVectors.recordBatch("uncompressed_big"))
        #expect(throws: KafkaProtocolError.unsupportedCompression(.lz4)) { try builder.build(compression: .lz4) }
        #expect(throws: KafkaProtocolError.unsupportedCompression(.zstd)) {
            try builder.build(compression: .zstd, codec: ReferenceLZ4Codec())
        }
    }

    @Test func codecFailureIsTyped() {
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 0, key: nil, value: [1, 2, 3])
        let error = #expect(throws: KafkaProtocolError.self) {
            try builder.build(compression: .lz4, codec: ReferenceLZ4Codec())
        }
        guard case .codecFailed = error else {
            Issue.record("expected codecFailed, got \(String(describing: error))")
            return
        }
    }

    @Test func emptyBatchIsRefused() {
        #expect(throws: KafkaProtocolError.self) { try RecordBatchBuilder().build() }
    }

    @Test func resetKeepsProducerFields() throws {
        let vector = ReferenceVectors.recordBatch("uncompressed_idempotent")
        var builder = Self.builder(for: vector)
        builder.append(timestamp: 1, key: nil, value: nil)
        builder.reset()
        #expect(builder.isEmpty)
        #expect(builder.uncompressedRecordsByteCount == 0)
        for record in vector.decoded {
            builder.append(
                timestamp: record.timestamp,
                key: record.key.map { Array($0.utf8) },
                value: record.value.map { Array($0.utf8) },
                headers: record.headers.map { RecordHeader(key: $0[0], value: Array($0[1].utf8)) }
            )
        }
        #expect(try builder.build().bytes == vector.bytes)
    }

    /// Random records (null and empty keys/values, headers with null values, timestamps going
    /// backwards, values long enough for multi-byte varints) survive building and reading.
    @Test(arguments: [1 as UInt64, 2, 3])
    func randomRecordsRoundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        func bytes(_ maxLength: Int) -> [UInt8]? {
            if Int.random(in: 0..<5, using: &generator) == 0 { return nil }
            return (0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
        }
        var builder = RecordBatchBuilder(producerID: 5, producerEpoch: 1, baseSequence: 10)
        var expected: [Record] = []
        let base: Int64 = 1_700_000_000_000
        for offset in 0..<Int64.random(in: 1...200, using: &generator) {
            let timestamp = base + Int64.random(in: -100_000...100_000, using: &generator)
            let key = bytes(20)
            let value = bytes(3_000)
            let headers = (0..<Int.random(in: 0...3, using: &generator)).map { index in
                RecordHeader(key: "h\(index)", value: bytes(10))
            }
            builder.append(timestamp: timestamp, key: key, value: value, headers: headers)
            expected.append(
                Record(
                    offset: offset,
                    timestamp: timestamp,
                    key: key.map { ByteBuffer(bytes: $0) },
                    value: value.map { ByteBuffer(bytes: $0) },
                    headers: headers
                )
            )
        }
        let batch = try RecordBatch(validating: try builder.build())
        #expect(batch.header.recordsCount == Int32(expected.count))
        #expect(batch.header.lastOffsetDelta == Int32(expected.count - 1))
        #expect(batch.header.baseTimestamp == expected[0].timestamp)
        #expect(batch.header.maxTimestamp == expected.map(\.timestamp).max())
        #expect(batch.header.producerID == 5)
        #expect(batch.header.baseSequence == 10)
        #expect(batch.header.partitionLeaderEpoch == -1)
        #expect(try batch.records() == expected)
    }

    @Test func transactionalFlag() throws {
        var builder = RecordBatchBuilder(isTransactional: true)
        builder.append(timestamp: 0, key: nil, value: nil)
        let batch = try RecordBatch(validating: try builder.build())
        #expect(batch.header.attributes == 0x10)
        #expect(batch.header.isTransactional)
    }
}
