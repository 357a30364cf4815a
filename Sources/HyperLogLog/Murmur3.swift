/// MurmurHash3 x64_128 (Austin Appleby's public-domain reference, "smhasher" `MurmurHash3_x64_128`),
/// the hash behind every `hll_hash_*` function of PostgreSQL's `hll` extension.
///
/// Why this exact function: a sketch built here and one built in SQL may only be unioned if both
/// hashed the same bytes to the same 64-bit values, so the algorithm is the reference one, unmodified:
/// 16-byte blocks read as two little-endian words, the 1…15-byte tail folded in the same lanes,
/// all arithmetic wrapping modulo 2^64. The result is the same on every platform.
///
/// Seed: the extension takes an SQL `integer`, converts it to `uint32` and widens it to 64 bits
/// without sign extension, so SQL seed `-1` is `seed: 0xFFFF_FFFF` here.
public enum Murmur3 {
    private static let c1: UInt64 = 0x87C3_7B91_1142_53D5
    private static let c2: UInt64 = 0x4CF5_AD43_2745_937F

    /// The full 128-bit hash as its two 64-bit halves, in the reference's output order
    /// (`h1` is the first 8 bytes of the digest when it is written out little-endian).
    ///
    /// - Complexity: O(n) in `bytes.count`; allocates nothing.
    public static func x64_128(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> (h1: UInt64, h2: UInt64) {
        let count = bytes.count
        var h1 = UInt64(seed)
        var h2 = UInt64(seed)
        var offset = 0
        while offset + 16 <= count {
            let k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let k2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            h1 ^= mixK1(k1)
            h1 = rotateLeft(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52DC_E729
            h2 ^= mixK2(k2)
            h2 = rotateLeft(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5AB5
            offset += 16
        }
        // Tail: bytes 8…14 of the remainder form k2 and bytes 0…7 form k1, both little-endian.
        let tailCount = count - offset
        if tailCount > 8 {
            h2 ^= mixK2(littleEndianWord(bytes, from: offset + 8, count: tailCount - 8))
        }
        if tailCount > 0 {
            h1 ^= mixK1(littleEndianWord(bytes, from: offset, count: min(tailCount, 8)))
        }
        h1 ^= UInt64(count)
        h2 ^= UInt64(count)
        h1 &+= h2
        h2 &+= h1
        h1 = finalMix(h1)
        h2 = finalMix(h2)
        h1 &+= h2
        h2 &+= h1
        return (h1, h2)
    }

    /// The value `hll_hash_bytea(bytes, seed)` returns: `h1` reinterpreted as a signed 64-bit integer
    /// (`h2` is discarded by the extension). The other `hll_hash_*` functions reduce to this on their
    /// input's bytes: text as its UTF-8 bytes, `bigint`/`integer`/`smallint` as their little-endian
    /// two's-complement bytes, `boolean` as one byte `0`/`1`.
    ///
    /// The empty input with seed 0 hashes to exactly 0, which §4 of the format never turns into a
    /// register update (see `HyperLogLog.add(hash:)`).
    @inlinable
    public static func hllHash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> Int64 {
        Int64(bitPattern: x64_128(bytes, seed: seed).h1)
    }

    private static func mixK1(_ k: UInt64) -> UInt64 {
        rotateLeft(k &* c1, 31) &* c2
    }

    private static func mixK2(_ k: UInt64) -> UInt64 {
        rotateLeft(k &* c2, 33) &* c1
    }

    private static func rotateLeft(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    /// fmix64: the reference's avalanche step.
    private static func finalMix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    /// `count` (1…8) bytes starting at `offset`, least significant first.
    private static func littleEndianWord(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in stride(from: count - 1, through: 0, by: -1) {
            word = word << 8 | UInt64(bytes[offset + index])
        }
        return word
    }
}
