/// XXH64 (xxHash, 64-bit, seed 0) over bytes: the one hash edgelog persists decisions with.
///
/// Why not `Hasher`: Swift seeds it randomly per process, so a shard or interning decision
/// made with it would change on every restart. XXH64 is specified byte for byte
/// (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), reads the input as
/// little-endian words on every platform, and has full avalanche, so the shard ring's points and
/// the interner's probes spread well even for keys that differ only in their last byte.
///
/// Invariant: the value of `hash(_:)` for given bytes never changes across processes,
/// versions or platforms; `StableHashTests` pins the specification's published vectors. Changing
/// it would move sites between shards (a re-shard, DESIGN §10.7), so it never changes.
public enum StableHash {
    @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// XXH64 of `bytes` with seed 0.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return avalanche(prime5) }
        var index = 0
        var h: UInt64
        if count >= 32 {
            var v1 = prime1 &+ prime2
            var v2 = prime2
            var v3: UInt64 = 0
            var v4 = 0 &- prime1
            while index + 32 <= count {
                v1 = round(v1, word64(base, index))
                v2 = round(v2, word64(base, index + 8))
                v3 = round(v3, word64(base, index + 16))
                v4 = round(v4, word64(base, index + 24))
                index += 32
            }
            h = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = prime5
        }
        h &+= UInt64(count)
        while index + 8 <= count {
            h ^= round(0, word64(base, index))
            h = rotate(h, 27) &* prime1 &+ prime4
            index += 8
        }
        if index + 4 <= count {
            h ^= UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self))) &* prime1
            h = rotate(h, 23) &* prime2 &+ prime3
            index += 4
        }
        while index < count {
            h ^= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) &* prime5
            h = rotate(h, 11) &* prime1
            index += 1
        }
        return avalanche(h)
    }

    /// XXH64 of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @inlinable static func word64(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    @inlinable static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inlinable static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        (accumulator ^ round(0, lane)) &* prime1 &+ prime4
    }

    @inlinable static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= prime2
        h ^= h >> 29
        h &*= prime3
        h ^= h >> 32
        return h
    }
}
