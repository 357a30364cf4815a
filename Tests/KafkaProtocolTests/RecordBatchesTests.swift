import KafkaProtocol
import NIOCore
import Testing

/// A records field split into batches, each header parsed once: the same headers a full
/// validation reads, slices of the same bytes, and the framing errors named.
struct RecordBatchesTests {
    static func batch(_ values: [String], producerID: Int64 = -1) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(producerID: producerID, producerEpoch: producerID >= 0 ? 0 : -1, baseSequence: producerID >= 0 ? 0 : -1)
        for (index, value) in values.enumerated() {
            builder.append(timestamp: 1_700_000_000_000 + Int64(index), key: nil, value: Array(value.utf8))
        }
        return try builder.build()
    }

    @Test func splitsBackToBackBatchesReadingEachHeaderOnce() throws {
        let first = try Self.batch(["a", "b"])
        let second = try Self.batch(["c"], producerID: 7)
        var records = first
        records.writeImmutableBuffer(second)
        let batches = try RecordBatches(parsing: records)
        #expect(batches.count == 2)
        #expect(batches.headers == [try RecordBatch(validating: first).header, try RecordBatch(validating: second).header])
        #expect(batches.range(of: 0) == 0..<first.readableBytes)
        #expect(batches.range(of: 1) == first.readableBytes..<records.readableBytes)
        #expect(batches.batch(1).bytes == second)
        #expect(batches.batch(1).headers == [batches.headers[1]])
        #expect(batches.hasProducerID)
        #expect(try !RecordBatches(parsing: first).hasProducerID)
    }

    @Test func aSingleBatchIsItsOwnFirstBatch() throws {
        let only = try RecordBatches(parsing: try Self.batch(["x"]))
        #expect(only.batch(0).bytes == only.bytes)
        #expect(only.batch(0).headers == only.headers)
    }

    @Test func recordsThatAreNotWholeBatchesAreRefused() throws {
        let good = try Self.batch(["a"])
        #expect(try RecordBatches(parsing: ByteBuffer()).count == 0)
        #expect(throws: KafkaProtocolError.self) { try RecordBatches(parsing: good.getSlice(at: 0, length: 60)!) }
        let cut = good.getSlice(at: 0, length: good.readableBytes - 1)!
        #expect(throws: KafkaProtocolError.batchLengthMismatch(declared: good.readableBytes, available: good.readableBytes - 1)) {
            try RecordBatches(parsing: cut)
        }
        var short = good
        short.setInteger(Int32(RecordBatchHeader.minimumBatchLength - 1), at: 8)
        #expect(throws: KafkaProtocolError.invalidLength(field: "RecordBatch.batchLength", length: 48)) {
            try RecordBatches(parsing: short)
        }
    }

    /// The storage reads every field without judging any; the throwing parse names a bad magic.
    @Test func readingFieldsDoesNotJudgeTheMagic() throws {
        var bytes = try Self.batch(["a"])
        bytes.setInteger(UInt8(1), at: 16)
        let header = try #require(bytes.withUnsafeReadableBytes { RecordBatchHeader(readingFieldsOf: $0) })
        #expect(header.magic == 1)
        #expect(throws: KafkaProtocolError.badMagic(1)) { try RecordBatchHeader(bytes) }
        #expect(bytes.withUnsafeReadableBytes { RecordBatchHeader(readingFieldsOf: UnsafeRawBufferPointer(rebasing: $0[..<60])) } == nil)
    }

    @Test func checksumMatchesUsesTheParsedHeader() throws {
        var bytes = try Self.batch(["a", "b"])
        let header = try RecordBatchHeader(bytes)
        #expect(bytes.withUnsafeReadableBytes { RecordBatch.checksumMatches($0, header: header) })
        bytes.setInteger(UInt8(0xFF), at: bytes.writerIndex - 1)
        #expect(!bytes.withUnsafeReadableBytes { RecordBatch.checksumMatches($0, header: header) })
    }
}
