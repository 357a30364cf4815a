import KafkaProtocol
import NIOCore
import Testing

/// Single records laid out by hand from RECORD_BATCH.md §3, parsed through a batch.
struct RecordTests {
    /// Null key, null value, one header "a" with a null value:
    /// length 9 (zig-zag 0x12) | attributes 00 | tsDelta 00 | offsetDelta 00 | key 01 (-1) |
    /// value 01 (-1) | 1 header (02) | key length 1 (02) "a" | value 01 (-1).
    static let nullsSection: [UInt8] = [0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x02, 0x61, 0x01]

    /// Empty (not null) key and value, no headers, tsDelta -3 (zig-zag 05), offsetDelta 0.
    static let emptiesSection: [UInt8] = [0x0C, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]

    static func batch(_ section: [UInt8]) throws -> RecordBatch {
        try RecordBatchRecordsTests.resealed(
            ReferenceVectors.recordBatch("uncompressed").bytes,
            section: section,
            count: 1
        )
    }

    @Test func nullsAreNotEmpties() throws {
        let nulls = try #require(try Self.batch(Self.nullsSection).records().first)
        #expect(nulls.key == nil)
        #expect(nulls.value == nil)
        #expect(nulls.headers == [RecordHeader(key: "a", value: nil)])

        let empties = try #require(try Self.batch(Self.emptiesSection).records().first)
        #expect(empties.key == ByteBuffer())
        #expect(empties.value == ByteBuffer())
        #expect(empties.headers.isEmpty)
        #expect(empties.timestamp == 1_700_000_000_000 - 3)
    }

    @Test func borrowedHeadersWalk() throws {
        var headers: [(String, [UInt8]?)] = []
        try Self.batch(Self.nullsSection).forEachRecord { record in
            #expect(record.key == nil)
            #expect(record.value == nil)
            record.forEachHeader { key, value in
                headers.append((String(decoding: key, as: UTF8.self), value.map(Array.init)))
            }
        }
        #expect(headers.count == 1)
        #expect(headers.first?.0 == "a")
        #expect(headers.first?.1 == nil)
    }

    /// A null header key is invalid (header keys are strings, never null).
    @Test func nullHeaderKeyThrows() throws {
        var section = Self.nullsSection
        section[7] = 0x01  // header key length -1
        section.remove(at: 8)  // drop "a"
        section[0] = 0x10  // length 8
        #expect(throws: KafkaProtocolError.invalidRecord(reason: "null header key")) {
            try Self.batch(section).records()
        }
    }
}
