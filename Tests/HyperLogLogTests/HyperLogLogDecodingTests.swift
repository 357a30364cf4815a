import HyperLogLog
import Testing

@Suite struct HyperLogLogDecodingTests {
    /// `errors[]` entries that feed a literal to the `hll` text input and got a format error back:
    /// descending and duplicate EXPLICIT values, a short FULL body, schema version 2. Each must be
    /// refused here too, with the reason.
    @Test func rejectsTheExtensionsFormatErrors() throws {
        let vectors = try ReferenceVectors.load()
        let expected: [String: HLLError] = [
            "128b7f00000000000000020000000000000001": .explicitValuesNotAscending(offset: 11, previous: 2, value: 1),
            "128b7f00000000000000010000000000000001": .explicitValuesNotAscending(offset: 11, previous: 1, value: 1),
            "148b7f00": .fullBodyLength(byteCount: 1, expected: 1280),
            "218b7f": .unsupportedSchemaVersion(2),
        ]
        var checked = 0
        for vector in vectors.errors where vector.error != nil && vector.sql.contains("'::hll") {
            let literal = try #require(Self.hexLiteral(in: vector.sql), "\(vector.sql)")
            let error = try #require(expected[literal], "no expectation for \(vector.what)")
            #expect(throws: error, "\(vector.what)") {
                try HyperLogLog(serialized: bytes(fromHex: literal))
            }
            checked += 1
        }
        #expect(checked == expected.count)
    }

    /// Edge cases of `errors[]` the extension lets through but this library refuses: the regwidth 0
    /// header that reads back as regwidth 8 (`hll_empty(11, 0)`), and the unvalidated `bytea::hll`
    /// cast of a short FULL value.
    @Test func refusesWhatOnlyTheUncheckedPathsAccept() {
        #expect(throws: HLLError.invalidParameter(.regwidth, value: 8)) {
            try HyperLogLog(serialized: [0x11, 0xEB, 0x7F])
        }
        #expect(throws: HLLError.fullBodyLength(byteCount: 1, expected: 1280)) {
            try HyperLogLog(serialized: [0x14, 0x8B, 0x7F, 0x00])
        }
    }

    @Test(arguments: [
        ([], HLLError.truncatedHeader(byteCount: 0)),
        ([0x11, 0x8B], .truncatedHeader(byteCount: 2)),
        ([0x01, 0x8B, 0x7F], .unsupportedSchemaVersion(0)),
        ([0x15, 0x8B, 0x7F], .unknownRepresentation(typeCode: 5)),
        ([0x1F, 0x8B, 0x7F], .unknownRepresentation(typeCode: 15)),
        ([0x10, 0x8B, 0x7F], .undefinedNotSupported),
        ([0x11, 0x8B, 0x7F, 0x00], .bodyAfterEmpty(byteCount: 1)),
        ([0x12, 0x8B, 0x7F, 1, 2, 3, 4, 5, 6, 7], .explicitBodyNotWholeValues(byteCount: 7)),
        ([0x11, 0x83, 0x7F], .invalidParameter(.log2m, value: 3)),
        ([0x11, 0x92, 0x7F], .invalidParameter(.log2m, value: 18)),
        ([0x11, 0x8B, 0x4F], .invalidParameter(.expthresh, value: 16384)),
        ([0x11, 0x8B, 0x7E], .invalidParameter(.expthresh, value: 1 << 61)),
    ] as [([UInt8], HLLError)])
    func rejectsMalformedHeadersAndBodies(bytes: [UInt8], error: HLLError) {
        #expect(throws: error) {
            try HyperLogLog(serialized: bytes)
        }
    }

    /// The reader does not trust the length beyond the extension's EXPLICIT capacity.
    @Test func rejectsMoreExplicitValuesThanTheExtensionHolds() {
        var bytes: [UInt8] = [0x12, 0x8B, 0x7F]
        for value in 0..<16384 as Range<UInt64> {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        #expect(throws: HLLError.tooManyExplicitValues(count: 16384, limit: 16383)) {
            try HyperLogLog(serialized: bytes)
        }
    }

    /// Every value the extension wrote (`hll[]`, `union[]`) decodes and re-serializes to the same bytes.
    @Test func everyVectorRoundTrips() throws {
        let vectors = try ReferenceVectors.load()
        for vector in vectors.hll + vectors.union {
            let decoded = try HyperLogLog(serialized: bytes(fromHex: vector.hex))
            #expect(hex(decoded.serialized()) == vector.hex, "\(vector.name)")
        }
    }

    /// Accepted like the extension does, then written canonically: an EXPLICIT body with no values,
    /// a FULL body with few registers set (comes back SPARSE), SPARSE words out of order with non-zero
    /// padding, and the ignored bit 7 of byte 2.
    @Test func nonCanonicalInputIsReadLikeTheExtension() throws {
        let emptyExplicit = try HyperLogLog(serialized: [0x12, 0x8B, 0x7F])
        #expect(emptyExplicit.serialized() == [0x12, 0x8B, 0x7F])
        #expect(emptyExplicit.cardinality == 0)

        // log2m 4, regwidth 5: register 1 = 2 as FULL, and as SPARSE word 1 << 5 | 2 (9 bits).
        var full: [UInt8] = [0x14, 0x84, 0x40] + [UInt8](repeating: 0, count: 10)
        full[4] = 0b1000_0000  // body bits 5…9 hold register 1 = 00010
        let fromFull = try HyperLogLog(serialized: full)
        #expect(fromFull.serialized() == [0x13, 0x84, 0x40, 0b0001_0001, 0b0000_0000])

        // Words 001000001 (register 2 = 1) then 000100011 (register 1 = 3), so indexes descend,
        // followed by 6 padding bits set to one: both registers are read, the padding is not.
        let sparse: [UInt8] = [0x13, 0x84, 0x40, 0b0010_0000, 0b1000_1000, 0b1111_1111]
        let fromSparse = try HyperLogLog(serialized: sparse)
        var expected = try HyperLogLog(parameters: HLLParameters(log2m: 4, regwidth: 5, expthresh: 0, sparseOn: true))
        expected.add(hash: 2 | 1 << 4)  // register 2, p = 1
        expected.add(hash: 1 | 4 << 4)  // register 1, p = 3
        #expect(fromSparse == expected)

        let reservedBit = try HyperLogLog(serialized: [0x11, 0x8B, 0xFF])
        #expect(reservedBit == HyperLogLog())
    }

    /// The digits of the first `'\x…'` literal in an SQL string.
    private static func hexLiteral(in sql: String) -> String? {
        guard let start = sql.range(of: "'\\x") else { return nil }
        let digits = sql[start.upperBound...].prefix { $0.isHexDigit }
        return digits.isEmpty ? nil : String(digits)
    }
}
