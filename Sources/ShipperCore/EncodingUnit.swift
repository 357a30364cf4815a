import LogTailing
import RequestEncoding

/// A run of consecutive lines of one file, copied out of the tailer's buffer, to be parsed,
/// encoded, batched per partition and compressed by an `EncodingPool` worker while the pipeline
/// reads on. The pipeline cuts units where batches would be sealed anyway — at a checkpoint
/// group's end, after `linger`, on stop — so running them in parallel changes nothing about
/// what is sent: results are taken back strictly in `serial` order per file.
///
/// Invariants: `lines` are in file order, their `bytes` ranges adjacent and inside `bytes`;
/// a unit holds lines of one checkpoint group only, and `closing` is set only on the unit that
/// ends its group (then it is the unit's last record, `kind = fileStats`); `checkpointCut` only
/// on a unit that ends a checkpoint group without a control record, never with `closing`.
struct EncodingUnit: Sendable {
    struct Line: Sendable {
        /// The line's bytes in `EncodingUnit.bytes` (without its `\n`).
        var bytes: Range<Int>
        /// Offset of the line's first byte in the file.
        var fileOffset: Int64
        var isTruncated: Bool
    }

    /// What the control record that closes a group says (`ShipperPipeline.closeGroup`).
    struct GroupClose: Sendable {
        var statsKey: [UInt8]
        var statsPartition: Int32
        var groupStart: Int64
        var groupEnd: Int64
        var shippedLines: Int
        var lostLines: UInt64
        /// Per cause; the record carries the total and two of the parts.
        var lostBytes: LostFileBytes
        /// Time of the group's last parsed line read before this unit, for a unit that has none.
        var fallbackTimeUs: Int64
    }

    /// A checkpoint group that ends after the unit's lines without ending the audit group
    /// (`ShipmentLedger`): the file went idle or the shipper stops.
    struct CheckpointCut: Sendable {
        /// The end of the unit's last line.
        var offset: Int64
        /// The audit group open there: its start and its lines up to `offset`.
        var auditGroupStart: Int64
        var auditGroupLines: Int
    }

    var file: TailedFileID
    /// Order of the unit among its file's units, from 0.
    var serial: UInt64
    var sourceIndex: Int
    var origin: LineOrigin
    var partitionCount: Int32
    /// Milliseconds since the epoch, the Kafka timestamp of records without a time of their own.
    var wallClockMs: Int64
    var bytes: [UInt8]
    var lines: [Line]
    var closing: GroupClose?
    var checkpointCut: CheckpointCut?

    init(file: TailedFileID, serial: UInt64, sourceIndex: Int, origin: LineOrigin, partitionCount: Int32, storage: [UInt8]) {
        self.file = file
        self.serial = serial
        self.sourceIndex = sourceIndex
        self.origin = origin
        self.partitionCount = partitionCount
        self.wallClockMs = 0
        self.bytes = storage
        self.bytes.removeAll(keepingCapacity: true)
        self.lines = []
        self.closing = nil
        self.checkpointCut = nil
    }

    /// Copies one line in.
    ///
    /// - Returns: `memoryBytes` after the line.
    @discardableResult
    mutating func append(_ line: UnsafeRawBufferPointer, fileOffset: Int64, isTruncated: Bool) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: line)
        lines.append(Line(bytes: start..<bytes.count, fileOffset: fileOffset, isTruncated: isTruncated))
        return memoryBytes
    }

    /// Memory the unit holds (what the pipeline's `MemoryBudget` counts while it is read or encoded).
    var memoryBytes: Int { bytes.capacity + lines.capacity * MemoryLayout<Line>.stride }
}
