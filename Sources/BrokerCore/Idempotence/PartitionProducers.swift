import FileStorage
import Synchronization
import KafkaProtocol
import Logging
import NIOCore
import SegmentStore
import Synchronization

/// The appends to one partition, and the idempotent-producer state that decides them
/// (DESIGN §10.2, §10.4). Owned by the partition's ``Partition``.
///
/// Every Produce to the partition goes through ``append(_:)``, which holds this partition's lock
/// from the sequence check to the state update, so the table always describes exactly the
/// batches in the log. For each batch with a producer id (≥ 0):
///
/// - the next expected sequence (or a new producer / epoch at 0): stored;
/// - wholly stored before: not stored again, answered NONE with the offset its first record got
///   (DUPLICATE_SEQUENCE_NUMBER when that is no longer known: the client treats both as stored);
/// - partly stored: trimmed (``BatchTrimmer``) and only its new records stored, answered with
///   the offset of its first record; a codec we cannot re-encode gets UNSUPPORTED_COMPRESSION_TYPE;
/// - a gap: OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch: INVALID_PRODUCER_EPOCH;
/// - a producer it keeps no state for, not starting at 0: UNKNOWN_PRODUCER_ID.
///
/// A batch over the size limit refuses the whole request's part with MESSAGE_TOO_LARGE before
/// anything is stored (the log says "too large": ``StorageError/isBatchTooLarge``).
///
/// State lifetime: loaded lazily on the first append after start-up from the newest snapshot
/// at or below the log end plus the batch headers after it; snapshotted (``ProducerStateSnapshot``)
/// whenever the log rolls (the state as of the new segment's base) and at clean shutdown;
/// producers idle for longer than the retention period are forgotten once none of their batches
/// is in the log any more. The two newest snapshots are kept.
///
/// A log whose fsync failed is reset (cut back to its durable end and recovered) by the next
/// append, at most once a second, and the state rebuilt: how the broker comes back by itself
/// once the disk works again.
final class PartitionProducers: Sendable {
    struct State {
        /// `nil` until loaded, and again after the log was reset.
        var table: ProducerStateTable?
        var lastResetAttempt: Int64?
    }

    /// What one batch of an idempotent request came to.
    private enum BatchResult {
        /// Stored now (or before, for a duplicate): the offset answered for its first record,
        /// and what was newly stored.
        case answered(baseOffset: Int64, storedRecords: Int64, storedBytes: Int)
        /// A duplicate stored so long ago that its offset is no longer known.
        case duplicateOfUnknownOffset
        /// Refused: the request's part ends with this error.
        case refused(KafkaErrorCode)
    }

    let log: PartitionLog
    private let fileSystem: any FileSystem
    private let retentionMilliseconds: Int64
    private let clock: WallClock
    private let metrics: BrokerMetrics
    private let logger: Logger
    private let state = Mutex(State())

    static let resetIntervalMilliseconds: Int64 = 1000

    init(
        log: PartitionLog,
        fileSystem: any FileSystem,
        retentionMilliseconds: Int64,
        clock: WallClock,
        metrics: BrokerMetrics,
        logger: Logger
    ) {
        self.log = log
        self.fileSystem = fileSystem
        self.retentionMilliseconds = retentionMilliseconds
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: - Appending

    /// Stores what is new in `records` (one or more batches back to back, as in a Produce).
    /// Batches are handled in order and the first failure ends the request's part. Each batch
    /// header is parsed here, once (``RecordBatches``); the producer checks and the log use it.
    func append(_ records: ByteBuffer) -> PartitionAppendOutcome {
        state.withLock { state in
            if log.hasFailed { resetFailedLog(&state) }
            let table: ProducerStateTable
            do {
                table = try loadedTable(&state)
            } catch {
                logger.error("cannot rebuild producer state", metadata: ["error": "\(error)"])
                return .failed(.kafkaStorageError)
            }
            let batches = try? RecordBatches(parsing: records)
            guard let batches, batches.hasProducerID else {
                return appendAsReceived(records, parsed: batches, tableBefore: table)
            }
            return appendIdempotent(batches, &state)
        }
    }

    /// No idempotent batch: stored as received, in one append. Bytes that do not split into
    /// batches (`parsed == nil`) go to the log as they are, which refuses them with its reason.
    private func appendAsReceived(
        _ records: ByteBuffer,
        parsed: RecordBatches?,
        tableBefore table: ProducerStateTable
    ) -> PartitionAppendOutcome {
        do {
            let (base, last) = try appendToLog(tableBefore: table) {
                if let parsed { return try log.append(parsed) }
                return try records.withUnsafeReadableBytes { try log.append($0) }
            }
            return PartitionAppendOutcome(
                errorCode: .none, baseOffset: base, durableTarget: last + 1, storedRecords: last - base + 1,
                storedBytes: records.readableBytes)
        } catch {
            return .failed(failureCode(error))
        }
    }

    /// Batch by batch, each decided by the producer state (de-duplicated, trimmed or refused).
    private func appendIdempotent(_ batches: RecordBatches, _ state: inout State) -> PartitionAppendOutcome {
        do {
            // Batches are appended one at a time: ask about sizes first, so a request with one
            // batch over the limit stores none of them (MESSAGE_TOO_LARGE is all-or-nothing).
            try log.checkBatchSizes(batches.headers)
        } catch {
            return .failed(failureCode(error))
        }
        var outcome = PartitionAppendOutcome(errorCode: .none, baseOffset: -1, durableTarget: nil)
        for index in batches.indices {
            let result: BatchResult
            do {
                result = try appendOne(batches.batch(index), &state)
            } catch {
                return .failed(failureCode(error))
            }
            switch result {
            case .refused(let code):
                return .failed(code)
            case .duplicateOfUnknownOffset:
                // The client counts it as stored; the offset is unknown.
                if index == 0 { outcome.errorCode = .duplicateSequenceNumber }
            case .answered(let baseOffset, let storedRecords, let storedBytes):
                outcome.storedRecords += storedRecords
                outcome.storedBytes += storedBytes
                if index == 0 { outcome.baseOffset = baseOffset }
            }
        }
        outcome.durableTarget = log.logEndOffset
        return outcome
    }

    /// One batch (`batch` holds exactly one) of an idempotent request.
    private func appendOne(_ batch: RecordBatches, _ state: inout State) throws -> BatchResult {
        let header = batch.headers[0]
        guard var table = state.table else { return .refused(.unknownServerError) }
        guard header.hasProducerID else {
            let base = try appendToLog(tableBefore: table) { try log.append(batch) }.baseOffset
            return .answered(baseOffset: base, storedRecords: Int64(header.recordsCount), storedBytes: batch.bytes.readableBytes)
        }
        guard header.producerEpoch >= 0, header.baseSequence >= 0, header.recordsCount >= 1,
            header.lastOffsetDelta == header.recordsCount - 1
        else { return .refused(.invalidRecord) }
        let verdict = table.check(
            producerID: header.producerID, epoch: header.producerEpoch, baseSequence: header.baseSequence,
            recordCount: header.recordsCount)
        switch verdict {
        case .append:
            let base = try appendToLog(tableBefore: table) { try log.append(batch) }.baseOffset
            table.record(
                producerID: header.producerID, epoch: header.producerEpoch, firstSequence: header.baseSequence,
                recordCount: header.recordsCount, baseOffset: base, at: clock.milliseconds())
            state.table = table
            return .answered(baseOffset: base, storedRecords: Int64(header.recordsCount), storedBytes: batch.bytes.readableBytes)
        case .duplicate(let original):
            metrics.duplicateBatches.increment()
            metrics.duplicateRecordsDropped.increment(by: Int64(header.recordsCount))
            guard let original else { return .duplicateOfUnknownOffset }
            return .answered(baseOffset: original, storedRecords: 0, storedBytes: 0)
        case .overlap(let known, let original):
            return try appendTrimmed(batch, dropping: known, original: original, &state)
        case .outOfOrder(let expected):
            logger.debug(
                "sequence gap",
                metadata: [
                    "producer-id": "\(header.producerID)", "expected": "\(expected)", "received": "\(header.baseSequence)",
                ])
            return .refused(.outOfOrderSequenceNumber)
        case .staleEpoch:
            return .refused(.invalidProducerEpoch)
        case .unknownProducer:
            logger.debug(
                "unknown producer",
                metadata: ["producer-id": "\(header.producerID)", "received": "\(header.baseSequence)"])
            return .refused(.unknownProducerId)
        }
    }

    /// A batch that repeats `known` records already stored: only the rest is stored
    /// (``BatchTrimmer``), answered with where its first record was stored the first time.
    private func appendTrimmed(
        _ batch: RecordBatches,
        dropping known: Int32,
        original: Int64?,
        _ state: inout State
    ) throws -> BatchResult {
        let header = batch.headers[0]
        guard var table = state.table else { return .refused(.unknownServerError) }
        let trimmed: ByteBuffer
        do {
            trimmed = try BatchTrimmer.trim(batch.bytes, dropping: known)
        } catch {
            logger.warning(
                "cannot trim a partly duplicate batch",
                metadata: ["producer-id": "\(header.producerID)", "reason": "\(error)"])
            return .refused(error.errorCode)
        }
        let kept = header.recordsCount - known
        // A new batch, built here: the log reads its header (once).
        let base = try appendToLog(tableBefore: table) {
            try trimmed.withUnsafeReadableBytes { try log.append($0) }
        }.baseOffset
        table.record(
            producerID: header.producerID, epoch: header.producerEpoch,
            firstSequence: ProducerSequence.advance(header.baseSequence, by: known), recordCount: kept,
            baseOffset: base, at: clock.milliseconds())
        state.table = table
        metrics.trimmedBatches.increment()
        metrics.duplicateRecordsDropped.increment(by: Int64(known))
        return .answered(baseOffset: original ?? base, storedRecords: Int64(kept), storedBytes: trimmed.readableBytes)
    }

    /// Runs `append` on the log; when the append rolled the log, first snapshots `tableBefore`
    /// (the state as of the new segment's base: the batch being appended is not in it).
    private func appendToLog(
        tableBefore: ProducerStateTable,
        _ append: () throws -> (baseOffset: Int64, lastOffset: Int64)
    ) throws -> (baseOffset: Int64, lastOffset: Int64) {
        let activeBefore = log.activeSegmentBaseOffset
        let result = try append()
        let activeAfter = log.activeSegmentBaseOffset
        if activeAfter != activeBefore {
            writeSnapshot(tableBefore, offset: activeAfter)
        }
        return result
    }

    /// The Kafka error a failed append answers: MESSAGE_TOO_LARGE for a batch refused only for
    /// its size (the client must split it), CORRUPT_MESSAGE for any other batch the log refuses
    /// (the client may resend it), KAFKA_STORAGE_ERROR when the disk failed.
    private func failureCode(_ error: any Error) -> KafkaErrorCode {
        guard let error = error as? StorageError else {
            logger.error("append failed", metadata: ["error": "\(error)"])
            return .unknownServerError
        }
        if error.isBatchTooLarge {
            logger.debug("refused a produced batch over the size limit", metadata: ["error": "\(error)"])
            return .messageTooLarge
        }
        if error.code == .invalidBatch {
            logger.debug("rejected a produced batch", metadata: ["error": "\(error)"])
            return .corruptMessage
        }
        logger.error("append failed", metadata: ["error": "\(error)"])
        return .kafkaStorageError
    }

    // MARK: - State lifetime

    private func loadedTable(_ state: inout State) throws -> ProducerStateTable {
        if let table = state.table { return table }
        let table = try rebuild()
        state.table = table
        return table
    }

    /// The newest readable snapshot at or below the log end, plus every batch after it.
    private func rebuild() throws -> ProducerStateTable {
        let end = log.logEndOffset
        let start = log.logStartOffset
        let offsets = try snapshotOffsets().filter { $0 <= end }.sorted(by: >)
        var table = ProducerStateTable()
        var from = start
        for offset in offsets {
            let path = snapshotPath(offset)
            do {
                guard let bytes = try DurableFile(path: path, fileSystem: fileSystem).read() else { continue }
                let (stored, loaded) = try ProducerStateSnapshot.decode(bytes)
                guard stored == offset else { continue }
                table = loaded
                from = offset
                break
            } catch {
                logger.warning(
                    "ignoring an unreadable producer state snapshot",
                    metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
        if from < start {
            logger.warning(
                "producer state snapshot is older than the log start; batches in between are gone",
                metadata: ["snapshot-offset": "\(from)", "log-start-offset": "\(start)"]
            )
            from = start
        }
        let now = clock.milliseconds()
        var scanned = 0
        try log.forEachBatchHeader(from: from) { header in
            guard header.hasProducerID, header.recordsCount >= 1, header.baseSequence >= 0 else { return }
            table.record(
                producerID: header.producerID, epoch: header.producerEpoch,
                firstSequence: header.baseSequence, recordCount: header.recordsCount,
                baseOffset: header.baseOffset, at: now
            )
            scanned += 1
        }
        if retentionMilliseconds > 0 {
            table.removeProducers(idleBefore: now - retentionMilliseconds, logStartOffset: log.logStartOffset)
        }
        logger.debug(
            "rebuilt producer state",
            metadata: [
                "snapshot-offset": "\(from)", "batches-read": "\(scanned)", "producers": "\(table.entries.count)",
            ]
        )
        return table
    }

    /// Writes the state as of the log end (clean shutdown: call after the log was synced).
    func snapshotAtLogEnd() {
        state.withLock { state in
            guard let table = state.table, !log.hasFailed else { return }
            writeSnapshot(table, offset: log.logEndOffset)
        }
    }

    /// Forgets producers idle for longer than the retention period with no batch left in the log.
    func expireIdleProducers() {
        guard retentionMilliseconds > 0 else { return }
        state.withLock { state in
            let cutoff = clock.milliseconds() - retentionMilliseconds
            if state.table?.removeProducers(idleBefore: cutoff, logStartOffset: log.logStartOffset) ?? 0 > 0 {
                logger.debug("forgot idle producers")
            }
        }
    }

    /// Whether the state was loaded since start-up (or the last reset): only then is there
    /// anything to snapshot or expire.
    var isLoaded: Bool {
        state.withLock { $0.table != nil }
    }

    /// The current state, loading it if needed (tests, diagnostics).
    func table() throws -> ProducerStateTable {
        try state.withLock { try loadedTable(&$0) }
    }

    private func writeSnapshot(_ table: ProducerStateTable, offset: Int64) {
        var table = table
        if retentionMilliseconds > 0 {
            table.removeProducers(
                idleBefore: clock.milliseconds() - retentionMilliseconds, logStartOffset: log.logStartOffset)
        }
        do {
            try DurableFile(path: snapshotPath(offset), fileSystem: fileSystem)
                .replace(with: ProducerStateSnapshot.encode(table, offset: offset))
            metrics.producerSnapshots.increment()
            // Keep this one and the one before it.
            for old in try snapshotOffsets().sorted(by: >).dropFirst(2) {
                try? fileSystem.removeFile(atPath: snapshotPath(old))
            }
        } catch {
            // The log and the older snapshot still rebuild the state; only start-up gets slower.
            logger.error(
                "cannot write a producer state snapshot", metadata: ["offset": "\(offset)", "error": "\(error)"])
        }
    }

    private func snapshotOffsets() throws -> [Int64] {
        try fileSystem.contentsOfDirectory(atPath: log.directory).compactMap(
            ProducerStateSnapshot.offset(fromFileName:))
    }

    private func snapshotPath(_ offset: Int64) -> String {
        "\(log.directory)/\(ProducerStateSnapshot.fileName(offset: offset))"
    }

    private func resetFailedLog(_ state: inout State) {
        let now = clock.milliseconds()
        if let last = state.lastResetAttempt, now >= last, now - last < Self.resetIntervalMilliseconds { return }
        state.lastResetAttempt = now
        do {
            if try log.reset() {
                metrics.logResets.increment()
                state.table = nil
            }
        } catch {
            logger.warning("partition log still failing", metadata: ["error": "\(error)"])
        }
    }
}
