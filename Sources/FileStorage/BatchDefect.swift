/// Why bytes offered to the log (or found in a segment) are not a batch the log stores. Carried
/// by ``StorageError/batchDefect`` on every `.invalidBatch` error about one batch, so an owner
/// can tell a batch that is only too large (the producer must split it) from a damaged one.
public enum BatchDefect: Sendable, Hashable, CustomStringConvertible {
    /// Magic is not 2 (legacy message sets are not stored).
    case unsupportedMagic(Int8)
    /// `batchLength` is below a header without records.
    case lengthBelowHeader(Int32)
    /// The whole batch is larger than the limit (`maxBatchBytes`, or a segment when smaller).
    case tooLarge(bytes: Int, limit: Int)
    /// A batch must hold at least one record.
    case noRecords(Int32)
    /// `lastOffsetDelta` is not `recordsCount - 1` (a batch as producers write it; this also
    /// bounds how far one batch moves the log end).
    case offsetDeltaMismatch(lastOffsetDelta: Int32, recordsCount: Int32)
    /// Fewer bytes than a header are left.
    case shorterThanHeader(available: Int)
    /// The header declares more bytes than were given.
    case truncated(declared: Int, available: Int)
    /// The batch fails the validator its log was given (for Kafka: the CRC-32C).
    case checksumMismatch

    public var description: String {
        switch self {
        case .unsupportedMagic(let magic): "magic \(magic): only v2 record batches are stored"
        case .lengthBelowHeader(let length): "batchLength \(length) below a record-batch header"
        case .tooLarge(let bytes, let limit): "batch of \(bytes) bytes over the limit \(limit)"
        case .noRecords(let count): "recordsCount \(count)"
        case .offsetDeltaMismatch(let delta, let count):
            "lastOffsetDelta \(delta) does not match recordsCount \(count)"
        case .shorterThanHeader(let available): "\(available) bytes, less than a batch header"
        case .truncated(let declared, let available): "batch of \(declared) bytes but only \(available) given"
        case .checksumMismatch: "batch fails validation (checksum)"
        }
    }
}
