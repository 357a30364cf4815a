import FileStorage
import KafkaProtocol

extension RecordBatchHeader {
    /// What is wrong with this header as the description of a batch the log stores, or `nil`.
    ///
    /// The storage's own checks, independent of the checksum: magic 2; `batchLength` at least a
    /// header and the whole batch at most `maxBatchBytes`; at least one record and
    /// `lastOffsetDelta == recordsCount - 1`. Nothing here traps on hostile values.
    public func storageDefect(maxBatchBytes: Int) -> BatchDefect? {
        if magic != Self.currentMagic { return .unsupportedMagic(magic) }
        if batchLength < Self.minimumBatchLength { return .lengthBelowHeader(batchLength) }
        if totalByteCount > maxBatchBytes { return .tooLarge(bytes: totalByteCount, limit: maxBatchBytes) }
        if recordsCount < 1 { return .noRecords(recordsCount) }
        if lastOffsetDelta != recordsCount - 1 {
            return .offsetDeltaMismatch(lastOffsetDelta: lastOffsetDelta, recordsCount: recordsCount)
        }
        return nil
    }
}
