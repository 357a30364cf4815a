import KafkaProtocol
import Testing

@testable import BrokerCore

struct ProducerStateSnapshotTests {
    func sampleTable() -> ProducerStateTable {
        var table = ProducerStateTable()
        table.record(
            producerID: 42, epoch: 3, firstSequence: 100, recordCount: 7, baseOffset: 9000, at: 1_700_000_000_000)
        table.record(
            producerID: 42, epoch: 3, firstSequence: 107, recordCount: 1, baseOffset: 9010, at: 1_700_000_000_500)
        table.record(producerID: 0, epoch: 0, firstSequence: Int32.max, recordCount: 2, baseOffset: 5, at: 12)
        return table
    }

    @Test func roundTripsExactly() throws {
        let bytes = ProducerStateSnapshot.encode(sampleTable(), offset: 1234)
        let (offset, table) = try ProducerStateSnapshot.decode(bytes)
        #expect(offset == 1234)
        #expect(table == sampleTable())
    }

    @Test func layoutStartsWithMagicVersionOffsetCountAndEndsWithTheCRC() {
        let bytes = ProducerStateSnapshot.encode(sampleTable(), offset: 0x0102)
        #expect(Array(bytes[0..<4]) == Array("EDPS".utf8))
        #expect(bytes[4] == 1)
        #expect(Array(bytes[5..<13]) == [0, 0, 0, 0, 0, 0, 1, 2])
        #expect(Array(bytes[13..<17]) == [0, 0, 0, 2])
        // 2 producers: 19 bytes each + 16 per batch (3 batches) = 86, plus 17 of header, 4 of CRC.
        #expect(bytes.count == 17 + 2 * 19 + 3 * 16 + 4)
        let crc = CRC32C.checksum(Array(bytes.dropLast(4)))
        #expect(
            Array(bytes.suffix(4)) == [
                UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff),
            ])
    }

    @Test func damagedOrTruncatedSnapshotsAreRefused() {
        let bytes = ProducerStateSnapshot.encode(sampleTable(), offset: 77)
        for index in stride(from: 0, to: bytes.count, by: 5) {
            var flipped = bytes
            flipped[index] ^= 0x10
            #expect(throws: ProducerStateSnapshot.Invalid.self) { try ProducerStateSnapshot.decode(flipped) }
        }
        for length in [0, 3, 20, bytes.count - 1] {
            #expect(throws: ProducerStateSnapshot.Invalid.self) {
                try ProducerStateSnapshot.decode(Array(bytes.prefix(length)))
            }
        }
    }

    @Test func aLyingCountWithAValidChecksumIsRefused() {
        // Header claiming 1,000,000 producers with nothing behind it, checksummed correctly.
        var bytes = Array("EDPS".utf8) + [1] + [UInt8](repeating: 0, count: 8) + [0x00, 0x0f, 0x42, 0x40]
        let crc = CRC32C.checksum(bytes)
        bytes += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff)]
        #expect(throws: ProducerStateSnapshot.Invalid.self) { try ProducerStateSnapshot.decode(bytes) }
    }

    @Test func fileNamesCarryTheOffsetPaddedTo20Digits() {
        #expect(ProducerStateSnapshot.fileName(offset: 1234) == "00000000000000001234.snapshot")
        #expect(ProducerStateSnapshot.offset(fromFileName: "00000000000000001234.snapshot") == 1234)
        #expect(ProducerStateSnapshot.offset(fromFileName: "00000000000000001234.log") == nil)
        #expect(ProducerStateSnapshot.offset(fromFileName: "0000000000000001234.snapshot") == nil)
        #expect(ProducerStateSnapshot.offset(fromFileName: "99999999999999999999.snapshot") == nil)
    }
}
