import KafkaProtocol
import NIOCore
import Testing

struct RecordBatchTests {
    /// Every vector (uncompressed, idempotent, LZ4) passes magic, length and CRC-32C checks, and
    /// the records section is exactly the one in the JSON.
    @Test(arguments: ReferenceVectors.recordBatches)
    func goldenBatchesValidate(_ vector: ReferenceVectors.BatchVector) throws {
        let batch = try RecordBatch(validating: vector.buffer)
        #expect(batch.header.crc == vector.crc)
        #expect(batch.computeChecksum() == vector.crc)
        #expect(batch.recordsSection.bytes == vector.recordsSection)
        #expect(batch.header.compression == (vector.attributes == 3 ? .lz4 : RecordCompression.none))
        // The same check on raw bytes, as log recovery does.
        let header = try vector.bytes.withUnsafeBytes { raw in try RecordBatch.validate(raw) }
        #expect(header == batch.header)
    }

    @Test(arguments: ReferenceVectors.recordBatches)
    func anyFlippedCoveredByteIsACRCMismatch(_ vector: ReferenceVectors.BatchVector) {
        for index in stride(from: 21, to: vector.bytes.count, by: 7) {
            var bytes = vector.bytes
            bytes[index] ^= 0x10
            let error = #expect(throws: KafkaProtocolError.self, "byte \(index)") {
                try RecordBatch(validating: ByteBuffer(bytes: bytes))
            }
            guard case .crcMismatch(let expected, let actual) = error else {
                Issue.record("byte \(index): \(String(describing: error))")
                continue
            }
            #expect(expected == vector.crc)
            #expect(actual != vector.crc)
        }
    }

    @Test func flippedStoredCRCIsDetected() {
        var bytes = ReferenceVectors.recordBatch("uncompressed").bytes
        bytes[20] ^= 0x01
        #expect(throws: KafkaProtocolError.crcMismatch(expected: 0x2A6F_A7F0, actual: 0x2A6F_A7F1)) {
            try RecordBatch(validating: ByteBuffer(bytes: bytes))
        }
    }

    @Test func lengthMustMatchTheBytes() {
        let bytes = ReferenceVectors.recordBatch("uncompressed").bytes
        #expect(throws: KafkaProtocolError.batchLengthMismatch(declared: 91, available: 92)) {
            try RecordBatch(validating: ByteBuffer(bytes: bytes + [0]))
        }
        #expect(throws: KafkaProtocolError.batchLengthMismatch(declared: 91, available: 90)) {
            try RecordBatch(validating: ByteBuffer(bytes: bytes.dropLast()))
        }
        var tooShort = bytes
        tooShort[8...11] = [0, 0, 0, 48]  // 48 < 49: shorter than the header itself
        #expect(throws: KafkaProtocolError.invalidLength(field: "RecordBatch.batchLength", length: 48)) {
            try RecordBatch(validating: ByteBuffer(bytes: tooShort))
        }
    }

    @Test func everyTruncationThrows() {
        for vector in ReferenceVectors.recordBatches {
            for length in 0..<vector.bytes.count {
                #expect(throws: KafkaProtocolError.self) {
                    try RecordBatch(validating: ByteBuffer(bytes: vector.bytes.prefix(length)))
                }
            }
        }
    }

    /// The broker's rewrite: baseOffset and leader epoch change, the CRC stays valid.
    @Test func rewritesOutsideTheCRCKeepTheBatchValid() throws {
        let vector = ReferenceVectors.recordBatch("uncompressed")
        var batch = try RecordBatch(validating: vector.buffer)
        batch.setBaseOffset(0x0102_0304_0506_0708)
        batch.setPartitionLeaderEpoch(9)
        #expect(batch.header.baseOffset == 0x0102_0304_0506_0708)
        #expect(batch.header.lastOffset == 0x0102_0304_0506_0709)
        #expect(Array(batch.bytes.bytes[0..<8]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(batch.bytes.bytes[12..<16]) == [0, 0, 0, 9])
        #expect(Array(batch.bytes.bytes[16...]) == Array(vector.bytes[16...]))
        let revalidated = try RecordBatch(validating: batch.bytes)
        #expect(revalidated.header == batch.header)
    }

    /// Rewriting a batch sliced from a request frame must not write into the frame.
    @Test func rewriteDoesNotTouchTheSourceBuffer() throws {
        let vector = ReferenceVectors.recordBatch("uncompressed")
        let frame = ByteBuffer(bytes: [0xEE] + vector.bytes)
        var batch = try RecordBatch(validating: try #require(frame.getSlice(at: 1, length: vector.bytes.count)))
        batch.setBaseOffset(77)
        #expect(frame.bytes == [0xEE] + vector.bytes)
    }

    @Test func trustingChecksumStillChecksMagicAndLength() throws {
        var bytes = ReferenceVectors.recordBatch("uncompressed").bytes
        bytes[30] ^= 0xFF  // inside baseTimestamp: covered by the CRC
        let trusted = try RecordBatch(trustingChecksumOf: ByteBuffer(bytes: bytes))
        #expect(trusted.computeChecksum() != trusted.header.crc)
        #expect(throws: KafkaProtocolError.batchLengthMismatch(declared: 91, available: 90)) {
            try RecordBatch(trustingChecksumOf: ByteBuffer(bytes: bytes.dropLast()))
        }
    }

    // MARK: - split

    @Test func splitsBackToBackBatches() throws {
        let first = ReferenceVectors.recordBatch("uncompressed")
        let second = ReferenceVectors.recordBatch("lz4_kafka_python")
        let batches = try RecordBatch.split(ByteBuffer(bytes: first.bytes + second.bytes))
        #expect(batches.map(\.bytes.bytes) == [first.bytes, second.bytes])
        #expect(try RecordBatch.split(ByteBuffer()).isEmpty)
    }

    /// Fetch responses may end in a cut batch (ignored); in Produce it is an error.
    @Test func trailingPartialBatch() throws {
        let whole = ReferenceVectors.recordBatch("uncompressed").bytes
        for cut in [1, 11, 12, 60, 61, 90] {
            let records = ByteBuffer(bytes: whole + whole.prefix(cut))
            #expect(try RecordBatch.split(records, allowingTrailingPartialBatch: true).count == 1, "cut \(cut)")
            #expect(throws: KafkaProtocolError.self, "cut \(cut)") { try RecordBatch.split(records) }
        }
    }

    @Test func splitRejectsACorruptBatchInTheMiddle() {
        let whole = ReferenceVectors.recordBatch("uncompressed").bytes
        var corrupt = whole
        corrupt[70] ^= 1
        let error = #expect(throws: KafkaProtocolError.self) {
            try RecordBatch.split(ByteBuffer(bytes: whole + corrupt + whole), allowingTrailingPartialBatch: true)
        }
        guard case .crcMismatch(let expected, _) = error else {
            Issue.record("expected a CRC mismatch, got \(String(describing: error))")
            return
        }
        #expect(expected == 0x2A6F_A7F1)
    }
}
