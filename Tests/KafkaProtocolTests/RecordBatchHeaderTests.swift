import KafkaProtocol
import NIOCore
import Testing

struct RecordBatchHeaderTests {
    /// Every header field against the decoded values of record_batches.json.
    @Test(arguments: ReferenceVectors.recordBatches)
    func fieldsMatchTheVector(_ vector: ReferenceVectors.BatchVector) throws {
        let header = try RecordBatchHeader(vector.buffer)
        #expect(header.baseOffset == vector.baseOffset)
        #expect(header.batchLength == vector.batchLength)
        #expect(header.partitionLeaderEpoch == vector.partitionLeaderEpoch)
        #expect(header.magic == vector.magic)
        #expect(header.crc == vector.crc)
        #expect(header.attributes == vector.attributes)
        #expect(header.lastOffsetDelta == vector.lastOffsetDelta)
        #expect(header.baseTimestamp == vector.baseTimestamp)
        #expect(header.maxTimestamp == vector.maxTimestamp)
        #expect(header.producerID == vector.producerID)
        #expect(header.producerEpoch == vector.producerEpoch)
        #expect(header.baseSequence == vector.baseSequence)
        #expect(header.recordsCount == vector.recordCount)
        #expect(header.totalByteCount == vector.bytes.count)
        #expect(header.lastOffset == vector.baseOffset + Int64(vector.lastOffsetDelta))
        #expect(header.nextOffset == header.lastOffset + 1)
        #expect(header.hasProducerID == (vector.producerID >= 0))

        var written = ByteBuffer()
        header.write(to: &written)
        #expect(written.bytes == Array(vector.bytes.prefix(61)))
    }

    @Test func attributeBits() throws {
        var bytes = ReferenceVectors.recordBatch("uncompressed").bytes
        func header(attributes: UInt16) throws -> RecordBatchHeader {
            bytes[21] = UInt8(attributes >> 8)
            bytes[22] = UInt8(attributes & 0xFF)
            return try RecordBatchHeader(ByteBuffer(bytes: bytes))
        }
        #expect(try header(attributes: 0x0003).compression == .lz4)
        #expect(try header(attributes: 0x0000).compression == RecordCompression.none)
        #expect(try header(attributes: 0x0007).compression == nil)
        #expect(try header(attributes: 0x0007).compressionCodecID == 7)
        let flags = try header(attributes: 0x0039)
        #expect(flags.compression == .gzip)
        #expect(flags.hasLogAppendTime)
        #expect(flags.isTransactional)
        #expect(flags.isControlBatch)
        #expect(try !header(attributes: 0x0003).isTransactional)
    }

    /// Magic is read before anything else, so a legacy message set is named as such even when
    /// it is shorter than a v2 header.
    @Test(arguments: [Int8(0), 1, 3, -1])
    func badMagicIsRejectedFirst(_ magic: Int8) {
        var bytes = [UInt8](repeating: 0, count: 20)
        bytes[16] = UInt8(bitPattern: magic)
        #expect(throws: KafkaProtocolError.badMagic(magic)) { try RecordBatchHeader(ByteBuffer(bytes: bytes)) }
    }

    @Test func shortInputThrowsTruncated() {
        let bytes = ReferenceVectors.recordBatch("uncompressed").bytes
        for length in 0..<61 {
            #expect(throws: KafkaProtocolError.self) { try RecordBatchHeader(ByteBuffer(bytes: bytes.prefix(length))) }
        }
    }
}
