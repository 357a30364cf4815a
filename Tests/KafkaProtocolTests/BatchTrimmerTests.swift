import KafkaProtocol
import NIOCore
import Testing

/// Trimming checked against the records the batch was built from: the result must decode (CRC
/// included) to exactly the inputs after the dropped ones.
struct BatchTrimmerTests {
    struct Input: Equatable {
        var timestamp: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeader]
    }

    static let inputs: [Input] = (0..<8).map(input)

    static func input(_ index: Int) -> Input {
        let key: [UInt8]? = index % 3 == 0 ? nil : Array("site-\(index)".utf8)
        let padding = String(repeating: "x", count: index * 13)
        let value = Array("GET /page/\(index) HTTP/1.1 200 \(padding)".utf8)
        var headers: [RecordHeader] = []
        if index % 2 == 0 {
            headers = [RecordHeader(key: "h\(index)", value: [UInt8(index)]), RecordHeader(key: "n", value: nil)]
        }
        return Input(timestamp: 1_700_000_000_000 + Int64(index * 7 % 5), key: key, value: value, headers: headers)
    }

    static func batch(baseSequence: Int32, compression: RecordCompression) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(producerID: 5, producerEpoch: 1, baseSequence: baseSequence)
        for input in inputs {
            builder.append(timestamp: input.timestamp, key: input.key, value: input.value, headers: input.headers)
        }
        return try builder.build(compression: compression, codec: compression == .lz4 ? try LZ4RecordsCodec() : nil)
    }

    static func decoded(_ bytes: ByteBuffer) throws -> (RecordBatchHeader, [Input]) {
        let batch = try RecordBatch(validating: bytes)
        let records = try batch.records(decompressingWith: try LZ4RecordsCodec())
        return (
            batch.header,
            records.map { record in
                Input(
                    timestamp: record.timestamp,
                    key: record.key.map { Array($0.readableBytesView) },
                    value: record.value.map { Array($0.readableBytesView) },
                    headers: record.headers
                )
            }
        )
    }

    @Test(arguments: [RecordCompression.none, .lz4])
    func keepsExactlyTheRecordsAfterTheDroppedOnes(compression: RecordCompression) throws {
        let original = try Self.batch(baseSequence: 100, compression: compression)
        let trimmed = try BatchTrimmer.trim(original, dropping: 3)
        let (header, records) = try Self.decoded(trimmed)
        #expect(records == Array(Self.inputs[3...]))
        #expect(header.baseSequence == 103)
        #expect(header.recordsCount == 5)
        #expect(header.lastOffsetDelta == 4)
        #expect(header.producerID == 5)
        #expect(header.producerEpoch == 1)
        #expect(header.compression == compression)
        #expect(header.baseTimestamp == Self.inputs[3].timestamp)
        #expect(header.maxTimestamp == Self.inputs[3...].map(\.timestamp).max())
    }

    @Test func theBaseSequenceWrapsPastInt32Max() throws {
        let original = try Self.batch(baseSequence: Int32.max - 1, compression: .none)
        let (header, _) = try Self.decoded(try BatchTrimmer.trim(original, dropping: 3))
        // max-1, max, 0 are dropped: the first kept record has sequence 1.
        #expect(header.baseSequence == 1)
    }

    @Test func codecsWeCannotWriteAreRefused() throws {
        // The same records claiming gzip (codec 1), checksummed so only the codec is wrong.
        var bytes = try Self.batch(baseSequence: 0, compression: .none)
        bytes.setInteger(Int16(1), at: bytes.readerIndex + 21)
        let crc = bytes.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        bytes.setInteger(crc, at: bytes.readerIndex + 17)
        #expect(throws: BatchTrimmer.Refusal.unsupportedCompression(1)) { try BatchTrimmer.trim(bytes, dropping: 2) }
    }

    @Test func aCorruptBatchIsRefused() throws {
        var bytes = try Self.batch(baseSequence: 0, compression: .lz4)
        bytes.setInteger(UInt8(0xff), at: bytes.writerIndex - 3)
        #expect {
            try BatchTrimmer.trim(bytes, dropping: 2)
        } throws: { error in
            if case .corrupt = error as? BatchTrimmer.Refusal { return true }
            return false
        }
    }
}
