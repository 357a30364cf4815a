import Testing
import TrafficAggregation

/// XXH64 must never change: shard placement depends on it (DESIGN §10.7).
@Suite struct StableHashTests {
    /// The xxHash specification's published vectors (seed 0), and longer inputs whose values come
    /// from an independent Python implementation of the specification (all tail paths: 32-byte
    /// stripes, 8-, 4- and 1-byte tails).
    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999 as UInt64),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("The quick brown fox jumps over the lazy dog", 0x0B24_2D36_1FDA_71BC),
        ("message digest", 0x066E_D728_FCEE_B3BE),
        ("123456789", 0x8CB8_41DB_40E6_AE83),
        ("edgelog-shard-0-vnode-0", 0x5379_D07F_5939_A6AF),
    ])
    func publishedAndReferenceVectors(input: String, expected: UInt64) {
        #expect(StableHash.hash(input) == expected)
        let bytes = Array(input.utf8)
        #expect(bytes.withUnsafeBytes { StableHash.hash($0) } == expected)
    }

    /// Bytes 0, 1, ..., 99 (value from the Python reference).
    @Test func hundredBytes() {
        let bytes = (0..<100).map { UInt8($0) }
        #expect(bytes.withUnsafeBytes { StableHash.hash($0) } == 0x6AC1_E580_3216_6597)
    }

    /// The hash reads unaligned input correctly: the same bytes at every start offset agree.
    @Test func unalignedInputGivesTheSameHash() {
        let payload = Array("www.example.com/some/longer/key/that/spans/stripes".utf8)
        let expected = payload.withUnsafeBytes { StableHash.hash($0) }
        for shift in 0..<8 {
            let padded = Array(repeating: UInt8(0xAA), count: shift) + payload
            let hash = padded.withUnsafeBytes { StableHash.hash(UnsafeRawBufferPointer(rebasing: $0[shift...])) }
            #expect(hash == expected, "shift \(shift)")
        }
    }
}
