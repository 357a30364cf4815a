import LogTailing
import NIOCore

/// An `EncodingUnit` after a worker is done with it: its sealed batches, built (LZ4 records
/// section, RecordBatch v2 header with placeholder producer fields), in sealing order, and
/// what the pipeline counts. The unit's byte storage comes back for reuse.
struct EncodedUnit: Sendable {
    struct Batch: Sendable {
        var partition: Int32
        var recordCount: Int32
        /// Control records (fileStats) among the batch's records.
        var controlRecords: Int
        /// `nil` when it could not be built (counted as a loss of its lines).
        var bytes: ByteBuffer?
    }

    var file: TailedFileID
    var serial: UInt64
    var batches: [Batch]
    var lineCount: Int
    var unparsedLines: Int
    /// Lines that could not be encoded at all (beyond Cap'n Proto's blob limit; never for lines
    /// capped by max-line-bytes).
    var rejectedLines: Int
    /// Time of the unit's last parsed line, 0 if none.
    var lastTimeUs: Int64
    /// End of the group the unit closed, if it closed one.
    var closedGroupAt: Int64?
    /// The unit's `EncodingUnit.checkpointCut`.
    var checkpointCut: EncodingUnit.CheckpointCut?
    /// What the pipeline's `MemoryBudget` counted for the unit while it was being encoded.
    var reservedBytes: Int
    /// The unit's byte storage, emptied, for the next unit.
    var storage: [UInt8]
    /// The worker that encoded it, and the bytes that worker keeps for its next unit
    /// (sections and scratch), which the pipeline counts against `memory-limit`.
    var worker: Int
    var workerRetainedBytes: Int
}
