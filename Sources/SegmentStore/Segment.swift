import FileStorage
import KafkaProtocol
/// One segment of a partition log: the batches from `baseOffset` up to `nextOffset`, in three
/// files named by `SegmentFileName`:
///
/// - `<base>.log`: whole v2 record batches back to back, exactly as produced except the
///   `baseOffset` field, which holds the offset the log assigned. No file header, no padding:
///   byte 0 is the first batch, the file ends with the last batch. The first batch has base
///   offset `baseOffset`; each next batch starts at the previous batch's last offset + 1.
/// - `<base>.index`: see `OffsetIndex`. `<base>.timeindex`: see `TimeIndex`.
///
/// Only the active (last) segment grows. A segment stops growing when the log rolls; at that
/// moment all three files are synced. Start-up recovery still checks every batch after the
/// recovery point, whatever segment it is in (`LogRecovery`): a disk may lose a flush it
/// acknowledged, and the indexes of the active segment are never synced.
///
/// Not thread-safe: `PartitionLog` serialises every call.
final class Segment {
    let baseOffset: Int64
    let paths: Paths
    private let log: any OpenFile
    private let offsetIndexFile: any OpenFile
    private let timeIndexFile: any OpenFile

    /// Bytes of whole batches in `.log`; reads never go past it, even if the file is longer.
    private(set) var size: Int64
    /// Offset after the last batch (`baseOffset` when empty).
    private(set) var nextOffset: Int64
    private(set) var offsetIndex: OffsetIndex
    private(set) var timeIndex: TimeIndex
    /// The indexing state after the last batch. Kept for every segment created or walked by
    /// recovery (`nil` for segments recovery loaded from their indexes, which are never the
    /// last one, the only one that appends).
    private var builder: SegmentIndexBuilder?
    /// Largest `maxTimestamp` of any batch (`Int64.min` when empty).
    private(set) var maxTimestamp: Int64
    /// When the segment was created, or opened at start-up: the start of its age for rolling.
    let createdAtMilliseconds: Int64
    /// Wall-clock time of the last append (for a segment loaded at start-up: its `.log` file's
    /// modification time), the age retention measures.
    private(set) var lastAppendMilliseconds: Int64
    /// `.log` writes since the last sync of the `.log`.
    private(set) var hasUnsyncedWrites = false
    /// Index writes since the last full `sync()`.
    private(set) var hasUnsyncedIndexWrites = false
    /// A failed append could not cut its partial bytes off again; do it before the next write.
    private var tailNeedsTruncation = false

    struct Paths: Sendable, Hashable {
        var log: String
        var offsetIndex: String
        var timeIndex: String

        init(directory: String, baseOffset: Int64) {
            func path(_ kind: SegmentFileName.Kind) -> String {
                directory + "/" + SegmentFileName(baseOffset: baseOffset, kind: kind).name
            }
            log = path(.log)
            offsetIndex = path(.offsetIndex)
            timeIndex = path(.timeIndex)
        }

        var all: [String] { [log, offsetIndex, timeIndex] }
    }

    init(
        baseOffset: Int64,
        paths: Paths,
        files: (log: any OpenFile, offsetIndex: any OpenFile, timeIndex: any OpenFile),
        size: Int64,
        nextOffset: Int64,
        offsetIndex: OffsetIndex,
        timeIndex: TimeIndex,
        builder: SegmentIndexBuilder?,
        maxTimestamp: Int64,
        createdAtMilliseconds: Int64,
        lastAppendMilliseconds: Int64? = nil
    ) {
        precondition(size >= 0 && nextOffset >= baseOffset, "a segment's end is at or after its start")
        precondition(
            offsetIndex.baseOffset == baseOffset && timeIndex.baseOffset == baseOffset, "indexes of this segment")
        self.baseOffset = baseOffset
        self.paths = paths
        self.log = files.log
        self.offsetIndexFile = files.offsetIndex
        self.timeIndexFile = files.timeIndex
        self.size = size
        self.nextOffset = nextOffset
        self.offsetIndex = offsetIndex
        self.timeIndex = timeIndex
        self.builder = builder
        self.maxTimestamp = maxTimestamp
        self.createdAtMilliseconds = createdAtMilliseconds
        self.lastAppendMilliseconds = lastAppendMilliseconds ?? createdAtMilliseconds
    }

    /// A new, empty segment: three empty files (created durably, `.log` first so an interrupted
    /// creation leaves at worst a log without indexes, which recovery completes).
    static func create(
        directory: String,
        baseOffset: Int64,
        fileSystem: any FileSystem,
        indexIntervalBytes: Int,
        now: Int64
    ) throws -> Segment {
        let paths = Paths(directory: directory, baseOffset: baseOffset)
        var opened: [any OpenFile] = []
        do {
            for path in paths.all {
                let file = try fileSystem.openFile(atPath: path, mode: .createIfMissing)
                opened.append(file)
                // Left over from an earlier failed roll to this same offset: start empty.
                if try file.size() > 0 {
                    try file.truncate(toSize: 0)
                    try file.sync()
                }
            }
        } catch {
            for file in opened { file.close() }
            throw error
        }
        return Segment(
            baseOffset: baseOffset,
            paths: paths,
            files: (opened[0], opened[1], opened[2]),
            size: 0,
            nextOffset: baseOffset,
            offsetIndex: OffsetIndex(baseOffset: baseOffset),
            timeIndex: TimeIndex(baseOffset: baseOffset),
            builder: SegmentIndexBuilder(baseOffset: baseOffset, indexIntervalBytes: indexIntervalBytes),
            maxTimestamp: Int64.min,
            createdAtMilliseconds: now
        )
    }

    var isEmpty: Bool { size == 0 }

    /// Appends whole batches whose base offsets are already assigned in their bytes, the first
    /// one `baseOffset` and each next one the previous one's last offset + 1 (`headers`
    /// describes them in order as they were parsed, before the offsets were assigned; `batches`
    /// holds exactly their bytes). Either everything is appended, or the segment is left as it
    /// was and the error is thrown: partial bytes are cut off again (or, if that fails too,
    /// before the next append) and never read, since reads stop at `size`.
    func append(_ batches: UnsafeRawBufferPointer, headers: [RecordBatchHeader], baseOffset: Int64, now: Int64) throws {
        guard var builder else {
            preconditionFailure("only the active segment appends")
        }
        precondition(baseOffset == nextOffset, "batches continue the segment")
        if tailNeedsTruncation {
            try cutToKnownSizes()
        }
        var newOffsetEntries: [OffsetIndex.Entry] = []
        var newTimeEntries: [TimeIndex.Entry] = []
        var position = size
        var assigned = baseOffset
        for var header in headers {
            header.baseOffset = assigned
            let (offsetEntry, timeEntry) = builder.add(header, at: position)
            if let offsetEntry { newOffsetEntries.append(offsetEntry) }
            if let timeEntry { newTimeEntries.append(timeEntry) }
            position += Int64(header.totalByteCount)
            assigned = header.lastOffset + 1
        }
        precondition(position - size == Int64(batches.count), "headers describe exactly the bytes")
        hasUnsyncedWrites = true
        hasUnsyncedIndexWrites = true
        do {
            try log.write(batches, at: size)
            if !newOffsetEntries.isEmpty {
                let at = Int64(offsetIndex.count * OffsetIndex.entryBytes)
                try offsetIndexFile.write(newOffsetEntries.flatMap(OffsetIndex.encode), at: at)
            }
            if !newTimeEntries.isEmpty {
                let at = Int64(timeIndex.count * TimeIndex.entryBytes)
                try timeIndexFile.write(newTimeEntries.flatMap(TimeIndex.encode), at: at)
            }
        } catch {
            do { try cutToKnownSizes() } catch { tailNeedsTruncation = true }
            throw error
        }
        for entry in newOffsetEntries { offsetIndex.append(entry) }
        for entry in newTimeEntries { timeIndex.append(entry) }
        self.builder = builder
        size = position
        nextOffset = assigned
        maxTimestamp = builder.maxTimestamp
        lastAppendMilliseconds = now
    }

    /// Cuts all three files back to what the in-memory state says they hold.
    private func cutToKnownSizes() throws {
        try log.truncate(toSize: size)
        try offsetIndexFile.truncate(toSize: Int64(offsetIndex.count * OffsetIndex.entryBytes))
        try timeIndexFile.truncate(toSize: Int64(timeIndex.count * TimeIndex.entryBytes))
        tailNeedsTruncation = false
    }

    /// The header of the batch starting at `position`, which must be a batch boundary below
    /// `size` (the segment's own bookkeeping guarantees it; a mismatch means the file changed
    /// under us and is reported as corruption, never trapped on).
    func header(at position: Int64) throws -> RecordBatchHeader {
        let bytes = try log.read(at: position, count: RecordBatchHeader.byteCount)
        guard let header = bytes.withUnsafeBytes({ RecordBatchHeader(readingFieldsOf: $0) }),
            header.storageDefect(maxBatchBytes: Int(Int32.max)) == nil,
            position + Int64(header.totalByteCount) <= size
        else {
            throw StorageError(
                code: .corruptSegment, message: "no valid batch header", path: paths.log, position: position)
        }
        return header
    }

    /// Position and header of the batch holding `offset` (`baseOffset <= offset < nextOffset`):
    /// index lookup, then a walk over at most `indexIntervalBytes` of headers.
    func locate(_ offset: Int64) throws -> (position: Int64, header: RecordBatchHeader) {
        precondition(offset >= baseOffset && offset < nextOffset, "offset inside the segment")
        var position = Int64(offsetIndex.lookup(offset)?.position ?? 0)
        while position < size {
            let header = try header(at: position)
            if header.lastOffset >= offset { return (position, header) }
            position += Int64(header.totalByteCount)
        }
        throw StorageError(
            code: .corruptSegment, message: "offset not found in its segment", path: paths.log, offset: offset)
    }

    /// Whole batches from the one holding `offset`: that batch always (even if larger than
    /// `maxBytes`, so a consumer never gets stuck), then following batches while they fit in
    /// `maxBytes` and start below `endOffset`. One read of the file.
    func read(from offset: Int64, maxBytes: Int, endOffset: Int64) throws -> [UInt8] {
        let (start, first) = try locate(offset)
        let wanted = max(Int64(first.totalByteCount), min(Int64(max(maxBytes, 0)), size - start))
        var bytes = try log.read(at: start, count: Int(wanted))
        guard bytes.count == Int(wanted) else {
            throw StorageError(code: .corruptSegment, message: "short read", path: paths.log, position: start)
        }
        var end = first.totalByteCount
        bytes.withUnsafeBytes { raw in
            while end + RecordBatchHeader.byteCount <= raw.count,
                let header = RecordBatchHeader(readingFieldsOf: UnsafeRawBufferPointer(rebasing: raw[end...])),
                header.batchLength >= RecordBatchHeader.minimumBatchLength,
                header.baseOffset < endOffset,
                end + header.totalByteCount <= raw.count
            {
                end += header.totalByteCount
            }
        }
        bytes.removeSubrange(end...)
        return bytes
    }

    /// Base offset of the first batch whose `maxTimestamp >= timestamp`, or `nil` if none.
    func firstOffset(atOrAfter timestamp: Int64) throws -> Int64? {
        guard maxTimestamp >= timestamp else { return nil }
        let startOffset = timeIndex.lookup(timestamp: timestamp).map { timeIndex.offset(of: $0) } ?? baseOffset
        var position = Int64(offsetIndex.lookup(startOffset)?.position ?? 0)
        while position < size {
            let header = try header(at: position)
            if header.maxTimestamp >= timestamp { return header.baseOffset }
            position += Int64(header.totalByteCount)
        }
        return nil
    }

    /// Makes the segment durable: the log first, then the indexes (an index that survives
    /// without its log is harmless: recovery checks every entry against the log).
    func sync() throws {
        try log.sync()
        try offsetIndexFile.sync()
        try timeIndexFile.sync()
        hasUnsyncedWrites = false
        hasUnsyncedIndexWrites = false
    }

    /// The fsync of the `.log` alone, without touching the segment's state, so `PartitionLog`
    /// can run it outside its lock while appends continue (`fdatasync` and `pwrite` on one
    /// descriptor may run concurrently; the sync covers at least every write that returned
    /// before it). Enough for durability while the segment is active: start-up recovery
    /// rebuilds the last segment's indexes from its log; the indexes are synced when the
    /// segment rolls or closes (`sync()`).
    func syncLog() throws {
        try log.sync()
    }

    /// Records that a `.log` sync started when the segment ended at `offset` has completed:
    /// nothing of the log is left unsynced unless an append came in meanwhile.
    func markSynced(through offset: Int64) {
        if nextOffset == offset { hasUnsyncedWrites = false }
    }

    /// Calls `body` with the header of each batch from the one at byte `position` (a batch
    /// boundary) to the end, reading the file in large chunks rather than once per batch.
    func forEachHeader(from position: Int64, _ body: (RecordBatchHeader) throws -> Void) throws {
        let chunkBytes = 1 << 20
        var chunk: [UInt8] = []
        var chunkStart: Int64 = 0
        var position = position
        while position < size {
            let inChunk = position - chunkStart
            if inChunk < 0 || inChunk + Int64(RecordBatchHeader.byteCount) > Int64(chunk.count) {
                chunkStart = position
                chunk = try log.read(at: position, count: Int(min(Int64(chunkBytes), size - position)))
                guard chunk.count >= RecordBatchHeader.byteCount else {
                    throw StorageError(
                        code: .corruptSegment, message: "short read", path: paths.log, position: position)
                }
            }
            let offset = Int(position - chunkStart)
            let parsed = chunk.withUnsafeBytes { raw in
                RecordBatchHeader(readingFieldsOf: UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            guard let header = parsed, header.storageDefect(maxBatchBytes: Int(Int32.max)) == nil,
                position + Int64(header.totalByteCount) <= size
            else {
                throw StorageError(
                    code: .corruptSegment, message: "no valid batch header", path: paths.log, position: position)
            }
            try body(header)
            position += Int64(header.totalByteCount)
        }
    }

    func close() {
        log.close()
        offsetIndexFile.close()
        timeIndexFile.close()
    }
}
