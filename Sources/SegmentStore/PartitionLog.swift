import FileStorage
import Synchronization
import KafkaProtocol
import Logging

/// The log of one topic-partition: a directory of segments (`<topic>-<partition>/`, see
/// `SegmentFileName` and `Segment` for the files and their byte layouts) that batches are
/// appended to and fetched from.
///
/// Offsets: the log assigns them. Each appended batch gets base offset = the log end offset,
/// written into its `baseOffset` field, and the log end advances by the batch's record count. Offsets
/// are contiguous from `logStartOffset` to `logEndOffset` (exclusive).
///
/// Durability: `append` writes to the files but does not sync; `sync()` makes everything
/// appended so far durable and moves `durableEndOffset` to the log end. One `sync()` covers all
/// appends before it, which is what group commit builds on (concurrent producers append, one
/// sync, all are acknowledged up to `durableEndOffset`). Fetches that must never see bytes a
/// crash can take back read `upTo: durableEndOffset`. A failed sync leaves the log unwritable
/// (after a failed fsync the kernel may have dropped the dirty pages, so a retry that succeeds
/// proves nothing): `reset()` cuts it back to its durable end and recovers it in place (or reopen it).
///
/// Recovery point: `<directory>/recovery-point` (`RecoveryPointFile`) holds an offset below
/// which every batch is on disk, so that recovery after a crash validates only what follows it.
/// **Invariant: the stored recovery point is never above the durable end** (`durableEndOffset`,
/// the end as of the last successful fsync). It is only ever set to a value `durableEndOffset`
/// had reached, which the durable end never falls below except through recovery or `reset()`,
/// and those store the new log end (or fail) before the log accepts an append. It is written by
/// `writeRecoveryPoint()` (the owner's timer; never on the append or sync path), by `close()`,
/// and after recovery when it changed. Stale is fine: a lower recovery point only makes the
/// next recovery validate more.
///
/// Opening runs `LogRecovery`; `recoveryReport` says what it did.
///
/// Thread-safe: every method runs under one lock (I/O included), so calls are serialised per
/// partition — except the fsyncs of `sync()`, which run outside it so that appends continue
/// while a sync is under way (the next sync then covers them: group commit). Syncs, segment
/// deletion, `reset()` and `close()` are serialised among themselves by a second lock, so no
/// file is closed under a running fsync. Writes of the recovery point hold a third lock only,
/// so they never hold up a sync or an append. The lock is not held while the validator checks
/// appended batches.
public final class PartitionLog: Sendable {
    /// A summary of one segment, for retention decisions and diagnostics.
    public struct SegmentSummary: Sendable, Hashable {
        /// Offset of the segment's first batch (its file name).
        public var baseOffset: Int64
        /// Offset after its last batch.
        public var endOffset: Int64
        /// Bytes of batches in its `.log`.
        public var bytes: Int64
        /// Largest batch `maxTimestamp` in it, `nil` when empty.
        public var maxTimestamp: Int64?
        /// Wall-clock time of the last append to it (its `.log` file's modification time for
        /// segments found at start-up): the age retention measures.
        public var lastAppendMilliseconds: Int64
        /// Whether it is the active (last) segment, which is never deleted.
        public var isActive: Bool
    }

    /// `@unchecked Sendable`: the segments it holds are classes, but a `State` lives only inside
    /// `PartitionLog.state`'s mutex and every segment is touched only under it.
    struct State: @unchecked Sendable {
        /// Oldest first; never empty; the last one is active.
        var segments: [Segment]
        var logEndOffset: Int64
        var durableEndOffset: Int64
        var isClosed = false
        /// Set by a failed sync; every later write throws it.
        var failure: StorageError?
        /// A roll failed (e.g. no space for the new files). Until one succeeds nothing more is
        /// appended to the old segment: a new segment's `.log` may already exist at the log end,
        /// and recovery would take it for the start of the next segment.
        var rollPending = false
        var syncCount = 0
        /// Set by a `reset()` that closed the segments but did not finish: the `.log` to cut and
        /// the size to cut it to.
        var resetTarget: (path: String, size: Int64)?

        var active: Segment {
            guard let last = segments.last else { preconditionFailure("a log always has a segment") }
            return last
        }
    }

    /// No offset reaches this (2^62), so offset arithmetic never overflows; recovery rejects
    /// segment files named above it.
    public static let maximumOffset: Int64 = 1 << 62

    /// The partition directory.
    public let directory: String
    public let configuration: PartitionLogConfiguration
    /// What start-up recovery found and changed.
    public let recoveryReport: LogRecoveryReport
    private let fileSystem: any FileSystem
    private let validator: BatchValidator
    private let clock: WallClock
    private let logger: Logger
    private let state: Mutex<State>
    /// Taken (before `state`, never after) by `sync()`, segment deletion, `reset()` and `close()`.
    private let maintenance = Mutex(())
    /// The recovery point stored last (`nil`: none stored), guarding the writes of its file.
    /// Taken after `maintenance` and before `state`, never the other way round.
    private let storedRecoveryPoint: Mutex<Int64?>
    private let recoveryPointFile: RecoveryPointFile

    /// Opens (creating if needed) the log in `directory` and recovers it.
    ///
    /// - Parameters:
    ///   - directory: the partition directory, e.g. `<data>/<topic>-<partition>` (see
    ///     `SegmentFileName.partitionDirectoryName`); created with its parents when missing.
    ///   - validator: run on every appended batch and on every batch recovery checks (CRC-32C
    ///     for Kafka batches).
    ///   - clock: for segment age.
    /// - Throws: `StorageError` (`.invalidConfiguration`, `.corruptSegment` for damage recovery
    ///   must not cut away, or a file system failure).
    public init(
        directory: String,
        fileSystem: some FileSystem,
        configuration: PartitionLogConfiguration = PartitionLogConfiguration(),
        validator: BatchValidator,
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        try configuration.validate()
        var logger = logger
        logger[metadataKey: "partition-log"] = "\(directory)"
        let (segments, last, report) = try Self.recoverSegments(
            directory: directory, fileSystem: fileSystem, configuration: configuration, validator: validator,
            clock: clock, logger: logger)
        let recoveryPointFile = RecoveryPointFile(directory: directory, fileSystem: fileSystem)
        let storedRecoveryPoint: Int64?
        do {
            storedRecoveryPoint = try Self.storeRecoveryPoint(
                afterRecoveryTo: last.nextOffset, lastSegmentBase: last.baseOffset, stored: report.recoveryPoint,
                recoveryPointFile, logger)
        } catch {
            for segment in segments { segment.close() }
            throw error
        }
        self.recoveryPointFile = recoveryPointFile
        self.storedRecoveryPoint = Mutex(storedRecoveryPoint)
        self.directory = directory
        self.fileSystem = fileSystem
        self.configuration = configuration
        self.validator = validator
        self.clock = clock
        self.logger = logger
        self.recoveryReport = report
        // Recovery synced every segment it walked, so everything found is durable.
        self.state = Mutex(State(segments: segments, logEndOffset: last.nextOffset, durableEndOffset: last.nextOffset))
        logger.debug(
            "opened partition log",
            metadata: [
                "segments": "\(segments.count)",
                "log-end-offset": "\(last.nextOffset)",
                "truncated-bytes": "\(report.truncatedBytes)",
                "rebuilt-index-files": "\(report.rebuiltIndexFiles.count)",
                "validated-from-offset": "\(report.validatedFromOffset)",
                "validated-batches": "\(report.validatedBatches)",
            ]
        )
    }

    /// The directory's segments as `LogRecovery` leaves them (at open, and when a failed log is
    /// reset); the last one is the active segment.
    private static func recoverSegments(
        directory: String,
        fileSystem: any FileSystem,
        configuration: PartitionLogConfiguration,
        validator: BatchValidator,
        clock: WallClock,
        logger: Logger
    ) throws -> (segments: [Segment], last: Segment, report: LogRecoveryReport) {
        let (segments, report) = try LogRecovery.recover(
            LogRecovery.Context(
                directory: directory,
                fileSystem: fileSystem,
                configuration: configuration,
                validator: validator,
                now: clock.milliseconds(),
                logger: logger
            )
        )
        guard let last = segments.last else { preconditionFailure("recovery returns at least one segment") }
        return (segments, last, report)
    }

    /// Stores `logEnd` as the recovery point once recovery has returned (it synced everything it
    /// kept, so the log end is durable). Required when the stored one lies above it (recovery cut
    /// the log below it: appends would otherwise land below a recovery point that claims them
    /// durable), so a failure then is thrown; otherwise it only saves work at the next start,
    /// and a failure is logged. Skipped when the next recovery would start at the log end anyway
    /// (a clean stop; a new partition, which has no recovery point and one empty segment).
    ///
    /// - Returns: the recovery point stored now.
    private static func storeRecoveryPoint(
        afterRecoveryTo logEnd: Int64,
        lastSegmentBase: Int64,
        stored: Int64?,
        _ file: RecoveryPointFile,
        _ logger: Logger
    ) throws -> Int64? {
        guard (stored ?? lastSegmentBase) != logEnd else { return stored }
        do {
            try file.write(logEnd)
            return logEnd
        } catch {
            if let stored, stored > logEnd { throw error }
            logger.debug("cannot store the recovery point", metadata: ["error": "\(error)"])
            return stored
        }
    }

    // MARK: Offsets

    /// Offset of the oldest batch still stored.
    public var logStartOffset: Int64 {
        state.withLock { $0.segments[0].baseOffset }
    }

    /// Offset the next appended record gets.
    public var logEndOffset: Int64 {
        state.withLock { $0.logEndOffset }
    }

    /// End of what a crash cannot take back: the log end as of the last successful `sync()`
    /// (or of opening). Never above `logEndOffset`.
    public var durableEndOffset: Int64 {
        state.withLock { $0.durableEndOffset }
    }

    /// The recovery point last stored in `<directory>/recovery-point` (`nil` when none could be
    /// stored yet). Never above `durableEndOffset`.
    public var recoveryPoint: Int64? {
        storedRecoveryPoint.withLock { $0 }
    }

    /// The segments, oldest first.
    public var segments: [SegmentSummary] {
        state.withLock { state in
            state.segments.enumerated().map { index, segment in
                SegmentSummary(
                    baseOffset: segment.baseOffset,
                    endOffset: segment.nextOffset,
                    bytes: segment.size,
                    maxTimestamp: segment.isEmpty ? nil : segment.maxTimestamp,
                    lastAppendMilliseconds: segment.lastAppendMilliseconds,
                    isActive: index == state.segments.count - 1
                )
            }
        }
    }

    /// Base offset of the active segment. It changes exactly when the log rolls, which is how an
    /// owner notices a roll made inside `append` (to snapshot state kept beside the log).
    public var activeSegmentBaseOffset: Int64 {
        state.withLock { $0.active.baseOffset }
    }

    /// Bytes of batches over all segments.
    public var sizeInBytes: Int64 {
        state.withLock { state in state.segments.reduce(0) { $0 + $1.size } }
    }

    /// Whether a sync failed; the log then refuses writes until `reset()` succeeds.
    public var hasFailed: Bool {
        state.withLock { $0.failure != nil }
    }

    // MARK: Appending

    /// Appends whole v2 record batches placed back to back (as in a Produce request), whose
    /// headers the caller parsed once (``RecordBatches``), assigning their offsets.
    ///
    /// Each batch must pass the storage's checks (``RecordBatchHeader/storageDefect(maxBatchBytes:)``
    /// with `maxBatchBytes`) and the validator, or nothing is appended and `.invalidBatch` is
    /// thrown, its ``StorageError/batchDefect`` naming what is wrong (a batch only too large is
    /// refused before anything else is checked: ``checkBatchSizes(_:)``). The stored bytes are
    /// the given bytes with each batch's `baseOffset` set to the offset it was assigned. Not
    /// durable until `sync()`.
    ///
    /// On a file system error (e.g. `.noSpace`) nothing is appended and the log stays readable
    /// and consistent; a later append may succeed.
    ///
    /// - Returns: the base offset of the first batch and the last offset of the last one.
    @discardableResult
    public func append(_ batches: RecordBatches) throws -> (baseOffset: Int64, lastOffset: Int64) {
        try batches.bytes.withUnsafeReadableBytes { raw in try append(raw, headers: batches.headers) }
    }

    /// Appends batches given as bytes alone: the log frames them itself, with the same checks
    /// and errors as ``append(_:)-(RecordBatches)`` (also for bytes that do not split into
    /// whole batches).
    @discardableResult
    public func append(_ batches: UnsafeRawBufferPointer) throws -> (baseOffset: Int64, lastOffset: Int64) {
        let framing = BatchFraming(batches)
        try checkBatchSizes(framing.headers + (framing.cutShort.map { [$0] } ?? []))
        if let stop = framing.stop {
            throw invalid(stop.defect, at: stop.position)
        }
        return try append(batches, headers: framing.headers)
    }

    @discardableResult
    public func append(_ batches: [UInt8]) throws -> (baseOffset: Int64, lastOffset: Int64) {
        try batches.withUnsafeBytes { try append($0) }
    }

    /// Throws the error ``append(_:)-(RecordBatches)`` throws for the first of `headers` (batches
    /// back to back) that is larger than `maxBatchBytes`: `.invalidBatch` with
    /// ``BatchDefect/tooLarge(bytes:limit:)``. An owner that appends a request's batches one at
    /// a time calls it first, so a refusal for size stays all-or-nothing.
    public func checkBatchSizes(_ headers: [RecordBatchHeader]) throws {
        var position = 0
        for header in headers {
            if header.totalByteCount > configuration.maxBatchBytes {
                throw invalid(.tooLarge(bytes: header.totalByteCount, limit: configuration.maxBatchBytes), at: position)
            }
            position += max(header.totalByteCount, 0)
        }
    }

    /// The append itself. `headers` were read from `batches`, which they cover exactly.
    private func append(
        _ batches: UnsafeRawBufferPointer,
        headers: [RecordBatchHeader]
    ) throws -> (baseOffset: Int64, lastOffset: Int64) {
        let recordCount = try checkedRecordCount(batches, headers: headers)
        var bytes = Array(batches)
        return try state.withLock { state in
            try checkWritable(state)
            guard state.logEndOffset + recordCount <= Self.maximumOffset else {
                throw StorageError(
                    code: .invalidBatch, message: "offsets exhausted", path: directory, offset: state.logEndOffset)
            }
            let now = clock.milliseconds()
            if shouldRoll(state, incomingBytes: bytes.count, recordCount: recordCount, now: now) {
                try roll(&state, now: now)
            }
            let firstOffset = state.logEndOffset
            let nextOffset = Self.assignOffsets(from: firstOffset, to: headers, in: &bytes)
            try bytes.withUnsafeBytes {
                try state.active.append($0, headers: headers, baseOffset: firstOffset, now: now)
            }
            state.logEndOffset = nextOffset
            return (firstOffset, nextOffset - 1)
        }
    }

    /// Writes each batch's base offset into its bytes (`headers` describes them); returns the log
    /// end after the last one.
    private static func assignOffsets(
        from firstOffset: Int64,
        to headers: [RecordBatchHeader],
        in bytes: inout [UInt8]
    ) -> Int64 {
        var nextOffset = firstOffset
        var position = 0
        bytes.withUnsafeMutableBytes { raw in
            for header in headers {
                RecordBatchHeader.setBaseOffset(nextOffset, in: UnsafeMutableRawBufferPointer(rebasing: raw[position...]))
                position += header.totalByteCount
                nextOffset += Int64(header.lastOffsetDelta) + 1
            }
        }
        return nextOffset
    }

    /// Checks every batch; throws `.invalidBatch` for the first bad one, and returns how many
    /// records they hold.
    private func checkedRecordCount(_ batches: UnsafeRawBufferPointer, headers: [RecordBatchHeader]) throws -> Int64 {
        try checkBatchSizes(headers)
        guard !headers.isEmpty else {
            throw StorageError(code: .invalidBatch, message: "no batch", path: directory, position: 0)
        }
        guard batches.count <= configuration.segmentBytes else {
            throw StorageError(
                code: .invalidBatch, message: "\(batches.count) bytes in one append, more than a segment holds",
                path: directory, position: 0)
        }
        var recordCount: Int64 = 0
        var position = 0
        for header in headers {
            if let defect = header.storageDefect(maxBatchBytes: configuration.effectiveMaxBatchBytes) {
                throw invalid(defect, at: position)
            }
            let batch = UnsafeRawBufferPointer(rebasing: batches[position..<(position + header.totalByteCount)])
            guard validator.isValid(batch, header: header) else { throw invalid(.checksumMismatch, at: position) }
            recordCount += Int64(header.lastOffsetDelta) + 1
            position += header.totalByteCount
        }
        precondition(position == batches.count, "the headers cover the bytes exactly")
        guard recordCount <= Int64(Int32.max) else {
            throw StorageError(
                code: .invalidBatch, message: "\(recordCount) records in one append", path: directory, position: 0)
        }
        return recordCount
    }

    private func invalid(_ defect: BatchDefect, at position: Int) -> StorageError {
        StorageError(
            code: .invalidBatch, message: defect.description, path: directory, position: Int64(position),
            batchDefect: defect)
    }

    private func shouldRoll(_ state: State, incomingBytes: Int, recordCount: Int64, now: Int64) -> Bool {
        let active = state.active
        guard !active.isEmpty else { return false }
        if state.rollPending { return true }
        let full = active.size + Int64(incomingBytes) > Int64(configuration.segmentBytes)
        let old = now - active.createdAtMilliseconds >= configuration.segmentAgeMilliseconds
        // Relative offsets in the indexes are 32-bit.
        let offsetsExhausted = state.logEndOffset + recordCount - 1 - active.baseOffset > Int64(Int32.max)
        return full || old || offsetsExhausted
    }

    /// Starts a new segment at the log end after making the active one durable (so that, in a
    /// directory without a recovery point, recovery may start at the last segment). No-op when
    /// the active segment is empty. Does not store the recovery point (see
    /// `writeRecoveryPoint()`): a roll happens inside an append.
    public func roll() throws {
        try state.withLock { state in
            try checkWritable(state)
            guard !state.active.isEmpty else { return }
            try roll(&state, now: clock.milliseconds())
        }
    }

    private func roll(_ state: inout State, now: Int64) throws {
        state.rollPending = true
        try syncActive(&state)
        let segment = try Segment.create(
            directory: directory,
            baseOffset: state.logEndOffset,
            fileSystem: fileSystem,
            indexIntervalBytes: configuration.indexIntervalBytes,
            now: now
        )
        state.segments.append(segment)
        state.rollPending = false
        logger.debug("rolled to a new segment", metadata: ["base-offset": "\(segment.baseOffset)"])
    }

    // MARK: Durability

    /// Makes every append so far durable; returns the new `durableEndOffset`.
    ///
    /// Only the active segment's `.log` is fsynced (its indexes are rebuilt from it by start-up
    /// recovery, and synced when it rolls or the log closes). The fsync runs outside the append
    /// lock: appends made while it runs are not covered (the durable end moves to the log end
    /// as of the start of the sync), which is what lets
    /// one sync serve every producer that appended before it and the next one everybody who
    /// came during it. A failure leaves the log unwritable until `reset()`.
    @discardableResult
    public func sync() throws -> Int64 {
        try maintenance.withLock { _ in
            let pending: (segment: Segment, end: Int64)? = try state.withLock { state in
                try checkWritable(state)
                guard state.active.hasUnsyncedWrites else {
                    state.durableEndOffset = state.logEndOffset
                    return nil
                }
                return (state.active, state.logEndOffset)
            }
            guard let pending else { return durableEndOffset }
            do {
                try pending.segment.syncLog()
            } catch {
                try state.withLock { state in
                    // A roll may have synced (and so covered) the segment meanwhile; the
                    // failure still poisons the log: the kernel may have dropped pages.
                    throw recordSyncFailure(error, &state)
                }
            }
            return state.withLock { state in
                pending.segment.markSynced(through: pending.end)
                state.durableEndOffset = max(state.durableEndOffset, pending.end)
                state.syncCount += 1
                return state.durableEndOffset
            }
        }
    }

    /// Completed syncs of the active segment, through `sync()` or a roll.
    public var syncCount: Int {
        state.withLock { $0.syncCount }
    }

    /// Stores the durable end as the recovery point if it moved since the last time, so that
    /// recovery after a crash validates only the batches after it. When it writes, it costs a
    /// small temporary file created, written and fsynced, then renamed over the old one (on the
    /// real disk each of create and rename also fsyncs the directory); otherwise nothing.
    ///
    /// Deliberately not part of `sync()`, which acknowledgements wait for, nor of a roll, which
    /// an append waits for: the owner calls it on a timer (the broker once a second), and
    /// `close()` stores the final one. It holds neither of the locks syncs and appends take
    /// during its I/O. Does nothing once the log is closed or while it has failed.
    ///
    /// It keeps the invariant: the value written is a `durableEndOffset` the log had reached,
    /// read under the lock that serialises recovery point writes, which `reset()` also holds
    /// while it may lower the durable end.
    ///
    /// - Returns: the stored recovery point.
    /// - Throws: the file system's error; the previous recovery point stays, still valid (the
    ///   next recovery validates more).
    @discardableResult
    public func writeRecoveryPoint() throws -> Int64? {
        try storedRecoveryPoint.withLock { stored in
            let durable: Int64? = state.withLock { state in
                state.isClosed || state.failure != nil ? nil : state.durableEndOffset
            }
            guard let durable, durable != stored else { return stored }
            try recoveryPointFile.write(durable)
            stored = durable
            return stored
        }
    }

    private func recordSyncFailure(_ error: any Error, _ state: inout State) -> StorageError {
        let failure = StorageError(
            code: (error as? StorageError)?.code ?? .ioFailure,
            message: "sync failed; the log accepts no more writes until reset: \(error)",
            path: directory,
            offset: state.durableEndOffset,
            errno: (error as? StorageError)?.errno
        )
        state.failure = failure
        return failure
    }

    private func syncActive(_ state: inout State) throws {
        let end = state.logEndOffset
        if state.active.hasUnsyncedWrites || state.active.hasUnsyncedIndexWrites {
            do {
                try state.active.sync()
            } catch {
                throw recordSyncFailure(error, &state)
            }
            state.syncCount += 1
        }
        state.durableEndOffset = end
    }

    private func checkOpen(_ state: State) throws {
        guard !state.isClosed else {
            throw StorageError(code: .closed, message: "partition log is closed", path: directory)
        }
    }

    private func checkWritable(_ state: State) throws {
        try checkOpen(state)
        if let failure = state.failure { throw failure }
    }

    // MARK: Reading

    /// Whole batches starting with the one that holds `offset`.
    ///
    /// Returns at least that one batch even when it is larger than `maxBytes`, then following
    /// batches of the same segment while the total stays within `maxBytes` and they start below
    /// `endOffset` (default and upper bound: the log end; pass `durableEndOffset` to serve only
    /// durable data). Returns no bytes when `offset >= endOffset`.
    ///
    /// - Throws: `.offsetOutOfRange` when `offset` is below `logStartOffset` or above `logEndOffset`.
    public func read(from offset: Int64, maxBytes: Int, upTo endOffset: Int64? = nil) throws -> [UInt8] {
        try state.withLock { state in
            try checkOpen(state)
            let start = state.segments[0].baseOffset
            guard offset >= start, offset <= state.logEndOffset else {
                throw StorageError(
                    code: .offsetOutOfRange,
                    message: "offset outside \(start)...\(state.logEndOffset)",
                    path: directory,
                    offset: offset
                )
            }
            let limit = min(endOffset ?? state.logEndOffset, state.logEndOffset)
            guard offset < limit else { return [] }
            return try segment(containing: offset, state).read(from: offset, maxBytes: maxBytes, endOffset: limit)
        }
    }

    /// The segment with the greatest base offset `<= offset`; by contiguity it holds `offset`
    /// when `offset` is below the log end.
    private func segment(containing offset: Int64, _ state: State) -> Segment {
        var low = 0
        var high = state.segments.count
        while low < high {
            let middle = (low + high) / 2
            if state.segments[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        precondition(low > 0, "offset at or above the log start")
        return state.segments[low - 1]
    }

    /// Base offset of the first batch whose `maxTimestamp` is at or after `timestamp` (ms), the
    /// batch where ListOffsets by timestamp starts reading record by record; `nil` when there is none (Kafka
    /// then answers with the log end).
    public func offset(forTimestamp timestamp: Int64) throws -> Int64? {
        try state.withLock { state in
            try checkOpen(state)
            for segment in state.segments {
                if let offset = try segment.firstOffset(atOrAfter: timestamp) { return offset }
            }
            return nil
        }
    }

    /// Calls `body` with the header of every batch from the one holding `offset` to the log end,
    /// in offset order (the headers as stored: base offsets assigned). For rebuilding state kept
    /// beside the log, such as producer sequences, from a snapshot's offset on. Holds the log's
    /// lock throughout: appends wait.
    ///
    /// - Throws: `.offsetOutOfRange` when `offset` is outside the log, `.corruptSegment` for a
    ///   header that does not read back, or what `body` throws.
    public func forEachBatchHeader(from offset: Int64, _ body: (RecordBatchHeader) throws -> Void) throws {
        try state.withLock { state in
            try checkOpen(state)
            let start = state.segments[0].baseOffset
            guard offset >= start, offset <= state.logEndOffset else {
                throw StorageError(
                    code: .offsetOutOfRange,
                    message: "offset outside \(start)...\(state.logEndOffset)",
                    path: directory,
                    offset: offset
                )
            }
            guard offset < state.logEndOffset else { return }
            var index = state.segments.lastIndex { $0.baseOffset <= offset } ?? 0
            var position = try state.segments[index].locate(offset).position
            while index < state.segments.count {
                try state.segments[index].forEachHeader(from: position, body)
                index += 1
                position = 0
            }
        }
    }

    // MARK: Failure

    /// Brings a log whose sync failed (`hasFailed`) back into service: everything above the
    /// durable end is cut off (after a failed fsync the kernel may have dropped those pages, so
    /// bytes that still read back prove nothing and must be written again by their producers),
    /// then the directory is recovered as at start-up. Does nothing to a log that has not failed.
    ///
    /// - Returns: whether the log was reset (state kept beside the log, e.g. producer
    ///   sequences, must then be rebuilt).
    /// - Throws: the storage error when the disk still fails; the log stays failed and a later
    ///   call may succeed.
    @discardableResult
    public func reset() throws -> Bool {
        try maintenance.withLock { _ in
            try storedRecoveryPoint.withLock { stored in try resetLocked(&stored) }
        }
    }

    private func resetLocked(_ storedRecoveryPoint: inout Int64?) throws -> Bool {
        try state.withLock { state in
            try checkOpen(state)
            guard state.failure != nil else { return false }
            let target: (path: String, size: Int64)
            if let pending = state.resetTarget {
                target = pending
            } else {
                let active = state.active
                let durable = state.durableEndOffset
                let keep = durable >= active.nextOffset ? active.size : try active.locate(durable).position
                target = (active.paths.log, keep)
                state.resetTarget = target
                // From here on the segments are not used again: a failed attempt below
                // leaves `resetTarget` for the next one.
                for segment in state.segments { segment.close() }
            }
            let file = try fileSystem.openFile(atPath: target.path, mode: .existing)
            defer { file.close() }
            if try file.size() > target.size { try file.truncate(toSize: target.size) }
            try file.sync()
            let (segments, last, report) = try Self.recoverSegments(
                directory: directory, fileSystem: fileSystem, configuration: configuration, validator: validator,
                clock: clock, logger: logger)
            // Recovery may have cut below the durable end (damage found below it): the recovery
            // point must not stay above the new end once appends resume.
            do {
                let known = [storedRecoveryPoint, report.recoveryPoint].compactMap { $0 }.max()
                storedRecoveryPoint = try Self.storeRecoveryPoint(
                    afterRecoveryTo: last.nextOffset, lastSegmentBase: last.baseOffset, stored: known,
                    recoveryPointFile, logger)
            } catch {
                for segment in segments { segment.close() }
                throw error
            }
            state.segments = segments
            state.logEndOffset = last.nextOffset
            state.durableEndOffset = last.nextOffset
            state.failure = nil
            state.resetTarget = nil
            state.rollPending = false
            logger.warning(
                "reset the log after a failed sync",
                metadata: [
                    "log-end-offset": "\(last.nextOffset)",
                    "truncated-bytes": "\(report.truncatedBytes)",
                ]
            )
            return true
        }
    }

    // MARK: Retention and shutdown

    /// Deletes, oldest first, whole segments that end at or before `offset` (every record in
    /// them is below `offset`). The active segment is never deleted, so the log end survives.
    /// The `.log` goes first: an interrupted deletion leaves index files without a log, which
    /// recovery removes.
    ///
    /// - Returns: the base offsets of the deleted segments.
    @discardableResult
    public func deleteSegments(before offset: Int64) throws -> [Int64] {
        try maintenance.withLock { _ in try deleteSegmentsLocked(before: offset) }
    }

    private func deleteSegmentsLocked(before offset: Int64) throws -> [Int64] {
        try state.withLock { state in
            try checkWritable(state)
            var deleted: [Int64] = []
            while state.segments.count > 1, state.segments[0].nextOffset <= offset {
                let segment = state.segments[0]
                try fileSystem.removeFile(atPath: segment.paths.log)
                state.segments.removeFirst()
                segment.close()
                for path in [segment.paths.offsetIndex, segment.paths.timeIndex] {
                    do {
                        try fileSystem.removeFile(atPath: path)
                    } catch let error as StorageError where error.code == .fileNotFound {
                        continue
                    }
                }
                deleted.append(segment.baseOffset)
                logger.debug("deleted segment", metadata: ["base-offset": "\(segment.baseOffset)"])
            }
            return deleted
        }
    }

    /// Syncs (unless a sync already failed), closes every file and stores the log end as the
    /// recovery point (so that the next start validates next to nothing; a failure to store it
    /// is logged: the older one stays valid). Later calls throw `.closed`; closing twice does
    /// nothing.
    public func close() throws {
        try maintenance.withLock { _ in
            try storedRecoveryPoint.withLock { stored in
                guard let end = try closeLocked(), end != stored else { return }
                do {
                    try recoveryPointFile.write(end)
                    stored = end
                } catch {
                    logger.warning("cannot store the recovery point at close", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// - Returns: the durable end when this call synced the log (`nil` if it was closed
    ///   already or had failed).
    private func closeLocked() throws -> Int64? {
        try state.withLock { state in
            guard !state.isClosed else { return nil }
            defer {
                for segment in state.segments { segment.close() }
                state.isClosed = true
            }
            guard state.failure == nil else { return nil }
            try syncActive(&state)
            return state.durableEndOffset
        }
    }
}
