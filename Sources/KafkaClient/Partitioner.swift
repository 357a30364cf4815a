/// Kafka's default partitioner for keyed records, so a key lands on the partition any Kafka
/// client would pick (DESIGN §3: key = site, so one site's records stay in one partition).
///
/// `partition = toPositive(murmur2(key)) % partitionCount`, where `murmur2` is the 32-bit
/// MurmurHash2 variant of Kafka's Java `Utils.murmur2` (seed `0x9747b28c`, 4-byte little-endian
/// blocks, the 1–3 tail bytes folded in as unsigned bytes) and `toPositive` masks the sign bit
/// (`& 0x7fffffff`, not `abs`, which would fail on `Int32.min`).
public enum Partitioner {
    /// Kafka's `Utils.murmur2` of `key`, as the signed `int` Java returns.
    public static func murmur2(_ key: UnsafeRawBufferPointer) -> Int32 {
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = key.count
        // Java computes `seed ^ length` in 32-bit int arithmetic: only the low 32 bits count.
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(key[i]) | UInt32(key[i + 1]) << 8 | UInt32(key[i + 2]) << 16 | UInt32(key[i + 3]) << 24
            k &*= m
            k ^= k >> r
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = blocks * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(key[tail + 2]) << 16
            h ^= UInt32(key[tail + 1]) << 8
            h ^= UInt32(key[tail])
            h &*= m
        case 2:
            h ^= UInt32(key[tail + 1]) << 8
            h ^= UInt32(key[tail])
            h &*= m
        case 1:
            h ^= UInt32(key[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Kafka's `Utils.murmur2` of `key`.
    public static func murmur2(_ key: [UInt8]) -> Int32 {
        key.withUnsafeBytes { murmur2($0) }
    }

    /// Kafka's `Utils.toPositive`: the hash with its sign bit cleared.
    public static func toPositive(_ hash: Int32) -> Int32 {
        hash & 0x7fff_ffff
    }

    /// The partition Kafka's default partitioner picks for a keyed record.
    ///
    /// - Precondition: `partitionCount > 0` (a topic always has at least one partition; the
    ///   count comes from our own configuration or a Metadata response already checked).
    public static func partition(forKey key: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return toPositive(murmur2(key)) % partitionCount
    }

    /// The partition Kafka's default partitioner picks for a keyed record.
    public static func partition(forKey key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { partition(forKey: $0, partitionCount: partitionCount) }
    }
}
