/// Arithmetic on idempotent-producer sequence numbers (RECORD_BATCH.md §2, `baseSequence`).
///
/// A sequence is in `0...Int32.max`; the record after `Int32.max` has sequence 0 (Kafka's
/// `DefaultRecordBatch.incrementSequence`). Distances are taken modulo 2^31, so "how far is `b`
/// ahead of `a`" has one answer across the wrap.
public enum ProducerSequence {
    /// 2^31: the number of distinct sequences.
    public static let modulus: Int64 = Int64(Int32.max) + 1

    /// `sequence` advanced by `count` records, wrapping past `Int32.max` to 0.
    public static func advance(_ sequence: Int32, by count: Int32) -> Int32 {
        Int32(truncatingIfNeeded: (Int64(sequence) + Int64(count)) % modulus)
    }

    /// How many records `to` lies after `from`, in `0..<2^31` (modular).
    public static func distance(from: Int32, to: Int32) -> Int64 {
        ((Int64(to) - Int64(from)) % modulus + modulus) % modulus
    }

    /// Whether `sequence` is a legal sequence number.
    public static func isValid(_ sequence: Int32) -> Bool { sequence >= 0 }
}
