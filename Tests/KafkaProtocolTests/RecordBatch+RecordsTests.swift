import PipelineTestSupport
import KafkaProtocol
import NIOCore
import Testing

struct RecordBatchRecordsTests {
    static var uncompressedVectors: [ReferenceVectors.BatchVector] {
        ReferenceVectors.recordBatches.filter { $0.attributes == 0 }
    }

    static func decoded(_ records: [Record]) -> [ReferenceVectors.DecodedRecord] {
        records.map { record in
            ReferenceVectors.DecodedRecord(
                offset: record.offset,
                timestamp: record.timestamp,
                key: record.key.map { String(buffer: $0) },
                value: record.value.map { String(buffer: $0) },
                headers: record.headers.map { [$0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? ""] }
            )
        }
    }

    @Test(arguments: uncompressedVectors)
    func ownedRecordsMatchTheVector(_ vector: ReferenceVectors.BatchVector) throws {
        let batch = try RecordBatch(validating: vector.buffer)
        #expect(Self.decoded(try batch.records()) == vector.decoded)
    }

    @Test(arguments: uncompressedVectors)
    func borrowedRecordsMatchTheVector(_ vector: ReferenceVectors.BatchVector) throws {
        let batch = try RecordBatch(validating: vector.buffer)
        var seen: [ReferenceVectors.DecodedRecord] = []
        try batch.forEachRecord { record in
            var headers: [[String]] = []
            record.forEachHeader { key, value in
                headers.append([
                    String(decoding: key, as: UTF8.self), value.map { String(decoding: $0, as: UTF8.self) } ?? "",
                ])
            }
            #expect(record.offsetDelta == Int32(seen.count))
            #expect(record.headerCount == headers.count)
            seen.append(
                ReferenceVectors.DecodedRecord(
                    offset: record.offset,
                    timestamp: record.timestamp,
                    key: record.key.map { String(decoding: $0, as: UTF8.self) },
                    value: record.value.map { String(decoding: $0, as: UTF8.self) },
                    headers: headers
                )
            )
        }
        #expect(seen == vector.decoded)
    }

    /// Uncompressed keys and values are slices of the batch itself.
    @Test func uncompressedValuesShareTheBatchStorage() throws {
        let batch = try RecordBatch(validating: ReferenceVectors.recordBatch("uncompressed").buffer)
        let value = try #require(try batch.records().first?.value)
        let batchStart = batch.bytes.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let valueStart = value.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        // "hello" starts 6 bytes into the records section (RECORD_BATCH.md §3 worked example).
        #expect(valueStart == batchStart + 61 + 6)
    }

    // MARK: - LZ4 through the codec seam

    @Test func lz4BatchNeedsACodec() throws {
        let batch = try RecordBatch(validating: ReferenceVectors.recordBatch("lz4_kafka_python").buffer)
        #expect(throws: KafkaProtocolError.unsupportedCompression(.lz4)) { try batch.records() }
    }

    @Test func lz4BatchDecodesThroughTheCodec() throws {
        let vector = ReferenceVectors.recordBatch("lz4_kafka_python")
        let batch = try RecordBatch(validating: vector.buffer)
        #expect(Self.decoded(try batch.records(decompressingWith: ReferenceLZ4Codec())) == vector.decoded)
        var scratch: [UInt8] = []
        var values: [String] = []
        try batch.forEachRecord(decompressingWith: ReferenceLZ4Codec(), scratch: &scratch) { record in
            values.append(record.value.map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
        #expect(values == vector.decoded.compactMap(\.value))
        #expect(scratch == vector.lz4InnerDecompressed)
    }

    @Test func decompressionLimitIsEnforced() throws {
        let vector = ReferenceVectors.recordBatch("lz4_kafka_python")
        let batch = try RecordBatch(validating: vector.buffer)
        let inner = try #require(vector.lz4InnerDecompressed)
        #expect(throws: KafkaProtocolError.decompressedSizeExceeded(limit: inner.count - 1)) {
            try batch.records(decompressingWith: ReferenceLZ4Codec(), maxDecompressedBytes: inner.count - 1)
        }
        #expect(try batch.records(decompressingWith: ReferenceLZ4Codec(), maxDecompressedBytes: inner.count).count == 2)
    }

    /// A codec for another algorithm is refused rather than fed bytes it cannot read.
    @Test func codecMustMatchTheBatch() throws {
        struct GzipStub: RecordsCodec {
            var compression: RecordCompression { .gzip }
            func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int { 0 }
            func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxOutputBytes: Int) throws
                -> Int
            { 0 }
        }
        let batch = try RecordBatch(validating: ReferenceVectors.recordBatch("lz4_kafka_python").buffer)
        #expect(throws: KafkaProtocolError.unsupportedCompression(.lz4)) {
            try batch.records(decompressingWith: GzipStub())
        }
    }

    @Test func codecErrorsBecomeTyped() throws {
        var bytes = ReferenceVectors.recordBatch("lz4_kafka_python").bytes
        bytes[bytes.count - 1] ^= 0xFF  // an unknown frame for the reference codec
        let batch = try RecordBatch(trustingChecksumOf: ByteBuffer(bytes: bytes))
        let error = #expect(throws: KafkaProtocolError.self) {
            try batch.records(decompressingWith: ReferenceLZ4Codec())
        }
        guard case .codecFailed = error else {
            Issue.record("expected codecFailed, got \(String(describing: error))")
            return
        }
    }

    @Test func lz4BatchFromTheRealTool() throws {
        var builder = RecordBatchBuilder()
        let line = Array(repeating: "GET /index.html 200 ", count: 50).joined()
        for index in 0..<20 {
            builder.append(
                timestamp: 1_700_000_000_000 + Int64(index),
                key: Array("site".utf8),
                value: Array("\(index) \(line)".utf8)
            )
        }
        let built = try builder.build(compression: .lz4, codec: CommandLineLZ4Codec())
        // A standard frame (magic 04 22 4D 18) right after the 61-byte header.
        #expect(Array(built.bytes[61..<65]) == [0x04, 0x22, 0x4D, 0x18])
        #expect(built.readableBytes < builder.uncompressedRecordsByteCount)
        let batch = try RecordBatch(validating: built)
        #expect(batch.header.compression == .lz4)
        let records = try batch.records(decompressingWith: CommandLineLZ4Codec())
        #expect(records.map { String(buffer: $0.value ?? ByteBuffer()) } == (0..<20).map { "\($0) \(line)" })
    }

    // MARK: - Hostile records sections

    /// Section bytes that do not match recordsCount: too few records, trailing bytes, a record
    /// longer than the section, a negative length.
    @Test func malformedSectionsThrow() throws {
        let vector = ReferenceVectors.recordBatch("uncompressed")
        let cases: [(String, [UInt8], Int32)] = [
            ("count above the records", vector.recordsSection, 3),
            ("trailing bytes", vector.recordsSection + [0x00], 2),
            ("record longer than section", [0x7E] + vector.recordsSection.dropFirst(), 2),
            ("negative record length", [0x03] + vector.recordsSection.dropFirst(), 2),
            ("negative key length", [0x16, 0, 0, 0, 0x03] + vector.recordsSection.dropFirst(5), 2),
            (
                "negative header count",
                Array(vector.recordsSection.prefix(11)) + [0x03] + vector.recordsSection.dropFirst(12), 2
            ),
        ]
        for (name, section, count) in cases {
            let batch = try Self.resealed(vector.bytes, section: section, count: count)
            #expect(throws: KafkaProtocolError.self, "\(name)") { try batch.records() }
            #expect(throws: KafkaProtocolError.self, "\(name)") { try batch.forEachRecord { _ in } }
        }
    }

    /// Random corruptions of the records section, with the CRC recomputed so the batch passes
    /// validation: reading may fail, but only with a typed error.
    @Test(arguments: ["uncompressed", "uncompressed_big", "uncompressed_idempotent"])
    func corruptedSectionsNeverCrash(_ name: String) throws {
        let vector = ReferenceVectors.recordBatch(name)
        var generator = SplitMix64(seed: 99)
        var rejected = 0
        for _ in 0..<1_000 {
            var section = vector.recordsSection
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<section.count, using: &generator)
                section[index] =
                    [0x00, 0x01, 0x7F, 0x80, 0xFF, UInt8.random(in: 0...255, using: &generator)]
                    .randomElement(using: &generator) ?? 0
            }
            if Bool.random(using: &generator) {
                section.removeLast(Int.random(in: 0...section.count, using: &generator))
            }
            let batch = try Self.resealed(vector.bytes, section: section, count: vector.recordCount)
            // records() throws only KafkaProtocolError (typed throws); success is fine too.
            do {
                _ = try batch.records()
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0, "the corruptions never reached an error path")
    }

    /// A batch with `section` in place of its records, lengths and CRC recomputed by hand (the
    /// CRC with the bitwise reference, not the code under test).
    static func resealed(_ original: [UInt8], section: [UInt8], count: Int32) throws -> RecordBatch {
        var bytes = Array(original.prefix(61)) + section
        let batchLength = UInt32(bytes.count - 12)
        bytes[8...11] = [
            UInt8(batchLength >> 24), UInt8(batchLength >> 16 & 0xFF), UInt8(batchLength >> 8 & 0xFF),
            UInt8(batchLength & 0xFF),
        ]
        let recordCount = UInt32(bitPattern: count)
        bytes[57...60] = [
            UInt8(recordCount >> 24), UInt8(recordCount >> 16 & 0xFF), UInt8(recordCount >> 8 & 0xFF),
            UInt8(recordCount & 0xFF),
        ]
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes[21...] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        crc = ~crc
        bytes[17...20] = [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        return try RecordBatch(validating: ByteBuffer(bytes: bytes))
    }
}
