import FileStorage
import Synchronization
import KafkaProtocol
import Logging
import NIOCore
import SegmentStore

/// What one partition's part of a Produce request came to.
struct PartitionAppendOutcome: Sendable, Equatable {
    var errorCode: KafkaErrorCode
    /// The offset answered: where the first record of the request's first batch is stored (for a
    /// duplicate, where it was stored the first time); -1 with an error.
    var baseOffset: Int64
    /// With fsync=ack the answer waits until the log is durable up to here (the log end once the
    /// work was done; for a duplicate too, since the original may not be durable yet). `nil`
    /// with an error.
    var durableTarget: Int64?
    /// Records and bytes newly stored.
    var storedRecords: Int64 = 0
    var storedBytes: Int = 0

    static func failed(_ code: KafkaErrorCode) -> PartitionAppendOutcome {
        PartitionAppendOutcome(errorCode: code, baseOffset: -1, durableTarget: nil)
    }
}

/// The appends to one partition, and the idempotent-producer state that decides them
/// (DESIGN §10.2, §10.4).
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
    /// Batches are handled in order and the first failure ends the request's part.
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
            guard let batches = Self.split(records), batches.contains(where: { $0.header.producerId >= 0 }) else {
                // No idempotent batch (or bytes the log will refuse anyway): stored as received.
                var outcome = PartitionAppendOutcome(errorCode: .none, baseOffset: -1, durableTarget: nil)
                do {
                    let (base, last) = try appendToLog(records, &state, tableBefore: table)
                    outcome.baseOffset = base
                    outcome.storedRecords = last - base + 1
                    outcome.storedBytes = records.readableBytes
                    outcome.durableTarget = last + 1
                } catch {
                    return .failed(failureCode(error))
                }
                return outcome
            }
            return appendBatches(records, batches, &state)
        }
    }

    private func appendBatches(
        _ records: ByteBuffer,
        _ batches: [(range: Range<Int>, header: BatchHeader)],
        _ state: inout State
    ) -> PartitionAppendOutcome {
        var outcome = PartitionAppendOutcome(errorCode: .none, baseOffset: -1, durableTarget: nil)
        for (index, batch) in batches.enumerated() {
            guard
                let bytes = records.getSlice(
                    at: records.readerIndex + batch.range.lowerBound, length: batch.range.count),
                var table = state.table
            else { return .failed(.unknownServerError) }
            let header = batch.header
            let answered: Int64
            do {
                if header.producerId < 0 {
                    answered = try appendToLog(bytes, &state, tableBefore: table).baseOffset
                    outcome.storedRecords += Int64(header.recordsCount)
                    outcome.storedBytes += bytes.readableBytes
                } else {
                    guard header.producerEpoch >= 0, header.baseSequence >= 0, header.recordsCount >= 1,
                        header.lastOffsetDelta == header.recordsCount - 1
                    else { return .failed(.invalidRecord) }
                    let verdict = table.check(
                        producerID: header.producerId,
                        epoch: header.producerEpoch,
                        baseSequence: header.baseSequence,
                        recordCount: header.recordsCount
                    )
                    switch verdict {
                    case .append:
                        let base = try appendToLog(bytes, &state, tableBefore: table).baseOffset
                        table.record(
                            producerID: header.producerId, epoch: header.producerEpoch,
                            firstSequence: header.baseSequence, recordCount: header.recordsCount,
                            baseOffset: base, at: clock.milliseconds()
                        )
                        state.table = table
                        answered = base
                        outcome.storedRecords += Int64(header.recordsCount)
                        outcome.storedBytes += bytes.readableBytes
                    case .duplicate(let original):
                        metrics.duplicateBatches.increment()
                        metrics.duplicateRecordsDropped.increment(by: Int64(header.recordsCount))
                        guard let original else {
                            // Stored long ago: the client counts it as stored, the offset is unknown.
                            if index == 0 { outcome.errorCode = .duplicateSequenceNumber }
                            continue
                        }
                        answered = original
                    case .overlap(let known, let original):
                        let trimmed: ByteBuffer
                        do {
                            trimmed = try BatchTrimmer.trim(bytes, dropping: known)
                        } catch {
                            logger.warning(
                                "cannot trim a partly duplicate batch",
                                metadata: ["producer-id": "\(header.producerId)", "reason": "\(error)"]
                            )
                            switch error {
                            case .unsupportedCompression: return .failed(.unsupportedCompressionType)
                            case .notTrimmable: return .failed(.invalidRecord)
                            case .corrupt: return .failed(.corruptMessage)
                            }
                        }
                        let kept = header.recordsCount - known
                        let base = try appendToLog(trimmed, &state, tableBefore: table).baseOffset
                        table.record(
                            producerID: header.producerId, epoch: header.producerEpoch,
                            firstSequence: ProducerSequence.advance(header.baseSequence, by: known),
                            recordCount: kept, baseOffset: base, at: clock.milliseconds()
                        )
                        state.table = table
                        metrics.trimmedBatches.increment()
                        metrics.duplicateRecordsDropped.increment(by: Int64(known))
                        answered = original ?? base
                        outcome.storedRecords += Int64(kept)
                        outcome.storedBytes += trimmed.readableBytes
                    case .outOfOrder(let expected):
                        logger.debug(
                            "sequence gap",
                            metadata: [
                                "producer-id": "\(header.producerId)", "expected": "\(expected)",
                                "received": "\(header.baseSequence)",
                            ]
                        )
                        return .failed(.outOfOrderSequenceNumber)
                    case .staleEpoch:
                        return .failed(.invalidProducerEpoch)
                    case .unknownProducer:
                        logger.debug(
                            "unknown producer",
                            metadata: ["producer-id": "\(header.producerId)", "received": "\(header.baseSequence)"]
                        )
                        return .failed(.unknownProducerId)
                    }
                }
            } catch {
                return .failed(failureCode(error))
            }
            if index == 0 { outcome.baseOffset = answered }
        }
        outcome.durableTarget = log.logEndOffset
        return outcome
    }

    /// Appends to the log; when the append rolled the log, first snapshots `tableBefore` (the
    /// state as of the new segment's base: the batch being appended is not in it).
    private func appendToLog(
        _ bytes: ByteBuffer,
        _ state: inout State,
        tableBefore: ProducerStateTable
    ) throws -> (baseOffset: Int64, lastOffset: Int64) {
        let activeBefore = log.activeSegmentBaseOffset
        let result = try bytes.withUnsafeReadableBytes { try log.append($0) }
        let activeAfter = log.activeSegmentBaseOffset
        if activeAfter != activeBefore {
            writeSnapshot(tableBefore, offset: activeAfter)
        }
        return result
    }

    private func failureCode(_ error: any Error) -> KafkaErrorCode {
        if let error = error as? StorageError {
            if error.code == .invalidBatch {
                logger.debug("rejected a produced batch", metadata: ["error": "\(error)"])
                return .corruptMessage
            }
            logger.error("append failed", metadata: ["error": "\(error)"])
            return .kafkaStorageError
        }
        logger.error("append failed", metadata: ["error": "\(error)"])
        return .unknownServerError
    }

    /// The batches of a Produce `records` field, read from their headers only (the log checks
    /// CRCs on append); `nil` when the bytes do not split into whole batches.
    static func split(_ records: ByteBuffer) -> [(range: Range<Int>, header: BatchHeader)]? {
        records.withUnsafeReadableBytes { raw in
            var batches: [(range: Range<Int>, header: BatchHeader)] = []
            var position = 0
            while position < raw.count {
                guard let header = BatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[position...])),
                    header.batchLength >= BatchHeader.minimumBatchLength,
                    header.totalBytes <= raw.count - position
                else { return nil }
                batches.append((position..<(position + header.totalBytes), header))
                position += header.totalBytes
            }
            return batches.isEmpty ? nil : batches
        }
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
            guard header.producerId >= 0, header.recordsCount >= 1, header.baseSequence >= 0 else { return }
            table.record(
                producerID: header.producerId, epoch: header.producerEpoch,
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
