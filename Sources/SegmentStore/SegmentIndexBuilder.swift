import KafkaProtocol

/// The one rule that decides which index entries a segment gets, used by the append path and by
/// recovery alike, so an index rebuilt from the log is byte-identical to the one written live.
///
/// Fed every batch of a segment in order (its header and position), it answers which entries
/// to add:
/// - an offset index entry (batch base offset, batch position) when at least
///   `indexIntervalBytes` of log were written since the last entry (so never for the first batch
///   of a segment when the interval is positive: position 0 needs no entry);
/// - together with it, a time index entry (running maximum timestamp, the batch that first
///   reached it) when that maximum grew since the last time index entry.
///
/// The state depends only on the batches seen, never on when they were appended, how they were
/// grouped into `append` calls, or the clock.
struct SegmentIndexBuilder: Sendable, Hashable {
    let baseOffset: Int64
    let indexIntervalBytes: Int

    private(set) var bytesSinceLastEntry = 0
    /// Largest `maxTimestamp` of the batches seen (`Int64.min` before the first).
    private(set) var maxTimestamp = Int64.min
    /// Base offset of the first batch that reached `maxTimestamp`.
    private(set) var offsetOfMaxTimestamp: Int64
    private var lastIndexedTimestamp = Int64.min

    init(baseOffset: Int64, indexIntervalBytes: Int) {
        precondition(indexIntervalBytes >= 0, "index interval is a byte count")
        self.baseOffset = baseOffset
        self.indexIntervalBytes = indexIntervalBytes
        self.offsetOfMaxTimestamp = baseOffset
    }

    /// Records the batch at `position` and returns the entries to add for it.
    ///
    /// Preconditions (the caller checked the batch): offsets within the segment's 32-bit
    /// relative range, position below 4 GiB, batches in log order.
    mutating func add(_ header: RecordBatchHeader, at position: Int64) -> (OffsetIndex.Entry?, TimeIndex.Entry?) {
        let relativeOffset = header.baseOffset - baseOffset
        precondition(relativeOffset >= 0 && relativeOffset <= Int64(UInt32.max), "relative offset fits 32 bits")
        precondition(position >= 0 && position <= Int64(UInt32.max), "position fits 32 bits")
        if header.maxTimestamp > maxTimestamp {
            maxTimestamp = header.maxTimestamp
            offsetOfMaxTimestamp = header.baseOffset
        }
        var offsetEntry: OffsetIndex.Entry?
        var timeEntry: TimeIndex.Entry?
        if bytesSinceLastEntry >= indexIntervalBytes {
            offsetEntry = OffsetIndex.Entry(relativeOffset: UInt32(relativeOffset), position: UInt32(position))
            if maxTimestamp > lastIndexedTimestamp {
                timeEntry = TimeIndex.Entry(
                    timestamp: maxTimestamp,
                    relativeOffset: UInt32(offsetOfMaxTimestamp - baseOffset)
                )
                lastIndexedTimestamp = maxTimestamp
            }
            bytesSinceLastEntry = 0
        }
        bytesSinceLastEntry += header.totalByteCount
        return (offsetEntry, timeEntry)
    }
}
