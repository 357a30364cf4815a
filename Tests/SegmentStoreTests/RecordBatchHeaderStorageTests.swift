import FileStorage
import KafkaProtocol
import Testing

@testable import SegmentStore

/// The record-batch header as the storage reads it: every field without judging any, and the
/// storage's own defects (`BatchDefect`), named.
@Suite struct RecordBatchHeaderStorageTests {
    /// The `uncompressed` vector of /work/shared/reference/kafka/testvectors/record_batches.json
    /// (written by kafka-python 3.0.12), with the field values that file lists beside it.
    static let referenceHex =
        "00000000000000000000004f00000000022a6fa7f10000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000216000000010a68656c6c6f0022000a02046b320a776f726c640202680276"

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return bytes
    }

    @Test func parsesTheReferenceBatch() throws {
        let batch = Self.bytes(hex: Self.referenceHex)
        #expect(batch.count == 91)
        let header = try #require(batch.withUnsafeBytes { RecordBatchHeader(readingFieldsOf: $0) })
        #expect(header.baseOffset == 0)
        #expect(header.batchLength == 79)
        #expect(header.partitionLeaderEpoch == 0)
        #expect(header.magic == 2)
        #expect(header.crc == 0x2a6f_a7f1)
        #expect(header.attributes == 0)
        #expect(header.lastOffsetDelta == 1)
        #expect(header.baseTimestamp == 1_700_000_000_000)
        #expect(header.maxTimestamp == 1_700_000_000_005)
        #expect(header.producerID == -1)
        #expect(header.producerEpoch == -1)
        #expect(header.baseSequence == -1)
        #expect(header.recordsCount == 2)
        #expect(header.totalByteCount == batch.count)
        #expect(header.storageDefect(maxBatchBytes: 1000) == nil)
    }

    @Test func theReferenceBatchIsStoredAsGivenApartFromItsOffset() throws {
        let batch = Self.bytes(hex: Self.referenceHex)
        let log = try PartitionLog(
            directory: "/data/t-0", fileSystem: InMemoryFileSystem(), validator: .structuralOnly, logger: .test
        )
        try log.append(TestBatches.make(records: 3))
        let result = try log.append(batch)
        #expect(result.baseOffset == 3 && result.lastOffset == 4)
        let stored = try log.read(from: 3, maxBytes: 1000)
        #expect(stored == [0, 0, 0, 0, 0, 0, 0, 3] + batch.dropFirst(8))
    }

    @Test func fewerThan61BytesParseToNil() {
        let batch = Self.bytes(hex: Self.referenceHex)
        #expect(batch.prefix(60).withUnsafeBytes { RecordBatchHeader(readingFieldsOf: $0) } == nil)
        #expect(batch.prefix(61).withUnsafeBytes { RecordBatchHeader(readingFieldsOf: $0) } != nil)
    }

    @Test func structuralProblemsAreNamed() throws {
        let good = Self.bytes(hex: Self.referenceHex)
        func problem(_ mutate: (inout [UInt8]) -> Void, maxBatchBytes: Int = 1000) throws -> String? {
            var bytes = good
            mutate(&bytes)
            let header = try #require(bytes.withUnsafeBytes { RecordBatchHeader(readingFieldsOf: $0) })
            return header.storageDefect(maxBatchBytes: maxBatchBytes)?.description
        }
        #expect(try problem { $0[16] = 1 }?.contains("magic") == true)
        #expect(try problem { $0.replaceSubrange(8..<12, with: [0, 0, 0, 48]) }?.contains("batchLength") == true)
        #expect(try problem { $0.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF]) } != nil)
        #expect(try problem({ _ in }, maxBatchBytes: 90)?.contains("limit") == true)
        #expect(try problem { $0.replaceSubrange(57..<61, with: [0, 0, 0, 0]) } != nil)
        #expect(
            try problem { $0.replaceSubrange(23..<27, with: [0x7F, 0xFF, 0xFF, 0xFF]) }?.contains("lastOffsetDelta")
                == true)
    }

    @Test func storingTheBaseOffsetWritesBigEndianBytesZeroToEight() {
        var bytes = [UInt8](repeating: 0xAA, count: 61)
        bytes.withUnsafeMutableBytes { RecordBatchHeader.setBaseOffset(0x0102_0304_0506_0708, in: $0) }
        #expect(Array(bytes.prefix(9)) == [1, 2, 3, 4, 5, 6, 7, 8, 0xAA])
    }
}
