import KafkaProtocol
import NIOCore
import Testing

@testable import ShipperCore

/// The shipper's own records-section writer against KafkaProtocol's `RecordBatchBuilder`
/// (itself checked against kafka-python's bytes): the same records give the same batch, byte
/// for byte, once the producer fields are stamped in.
@Suite struct RecordsSectionTests {
    static let records: [(timestamp: Int64, key: [UInt8], value: [UInt8])] = (0..<300).map { index in
        // Timestamps out of order (nginx logs at request end), keys and values of every varint
        // width, an empty key and a 20 KB value.
        let timestamp = 1_795_867_200_000 + Int64((index * 7919) % 5000) - 2500
        let key = index % 50 == 0 ? [] : Array("site-\(index % 13).example".utf8)
        let length = index == 150 ? 20_000 : (index * 37) % 400
        return (timestamp, key, (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
    }

    @Test func batchEqualsRecordBatchBuildersOnceStamped() throws {
        var section = RecordsSection(capacity: 1024)
        var builder = RecordBatchBuilder(producerID: 42, producerEpoch: 3, baseSequence: 1000)
        for record in Self.records {
            record.key.withUnsafeBytes { key in
                record.value.withUnsafeBytes { value in
                    section.append(timestamp: record.timestamp, key: key, value: value)
                }
            }
            builder.append(timestamp: record.timestamp, key: record.key, value: record.value)
        }
        #expect(section.byteCount == builder.uncompressedRecordsByteCount)
        #expect(section.recordCount == 300)
        var scratch: [UInt8] = []
        var built = try section.build(codec: LZ4RecordsCodec(), scratch: &scratch)
        #expect(built.capacity < 2 * built.readableBytes, "a waiting batch holds at most NIO's power-of-two slack")
        BatchRestamp.restamp(&built, producerId: 42, producerEpoch: 3, baseSequence: 1000)
        let expected = try builder.build(compression: .lz4, codec: LZ4RecordsCodec())
        #expect(built == expected)
        let batch = try RecordBatch(validating: built)
        let decoded = try batch.records(decompressingWith: LZ4RecordsCodec())
        #expect(decoded.map(\.timestamp) == Self.records.map(\.timestamp))
        #expect(
            decoded.map { Array($0.value?.readableBytesView ?? ByteBuffer().readableBytesView) }
                == Self.records.map(\.value)
        )
    }

    @Test func resetKeepsTheCapacityAndStartsOver() throws {
        var section = RecordsSection(capacity: 4096)
        let capacity = section.capacity
        [UInt8](repeating: 1, count: 100).withUnsafeBytes { section.append(timestamp: 5, key: $0, value: $0) }
        section.reset()
        #expect(section.isEmpty && section.byteCount == 0 && section.baseTimestamp == -1)
        #expect(section.capacity == capacity)
    }
}
