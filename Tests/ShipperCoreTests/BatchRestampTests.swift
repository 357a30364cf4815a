import KafkaProtocol
import NIOCore
import Testing

@testable import ShipperCore

/// A built, compressed batch given a new producer id, epoch and base sequence equals the batch
/// built with them in the first place, and passes the protocol's own CRC check.
@Suite struct BatchRestampTests {
    static func build(producerID: Int64, epoch: Int16, baseSequence: Int32) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(producerID: producerID, producerEpoch: epoch, baseSequence: baseSequence)
        for index in 0..<50 {
            builder.append(
                timestamp: 1_700_000_000_000 + Int64(index),
                key: Array("site\(index % 3)".utf8),
                value: Array("value \(index) \(String(repeating: "x", count: index))".utf8)
            )
        }
        return try builder.build(compression: .lz4, codec: LZ4RecordsCodec())
    }

    @Test func restampedEqualsBuiltWithTheNewFields() throws {
        var batch = try Self.build(producerID: 3, epoch: 0, baseSequence: 120)
        BatchRestamp.restamp(&batch, producerId: 99, producerEpoch: 4, baseSequence: 0)
        let expected = try Self.build(producerID: 99, epoch: 4, baseSequence: 0)
        #expect(batch == expected)
        let validated = try RecordBatch(validating: batch)
        #expect(validated.header.producerID == 99)
        #expect(validated.header.producerEpoch == 4)
        #expect(validated.header.baseSequence == 0)
        #expect(validated.header.recordsCount == 50)
    }

    @Test func aRestampedSliceLeavesTheBytesAroundIt() throws {
        let batch = try Self.build(producerID: 1, epoch: 0, baseSequence: 5)
        var framed = ByteBuffer(bytes: [0xAA, 0xBB])
        framed.writeImmutableBuffer(batch)
        framed.moveReaderIndex(forwardBy: 2)
        BatchRestamp.restamp(&framed, producerId: 2, producerEpoch: 1, baseSequence: 6)
        #expect(framed == (try Self.build(producerID: 2, epoch: 1, baseSequence: 6)))
        framed.moveReaderIndex(to: 0)
        #expect(framed.readBytes(length: 2) == [0xAA, 0xBB])
    }
}
