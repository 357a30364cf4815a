import KafkaProtocol
import LogTailing
import RequestEncoding

/// Lines in: each complete line is copied from the tailer's buffer into its file's pending
/// `EncodingUnit`; a unit goes to the `EncodingPool` when its checkpoint group ends, when it
/// lingered, or on stop. Units come back (`.encoded`) as built batches, possibly out of
/// order; they are taken back strictly in serial order per file, and only then do their
/// batches and group ends reach the file's ledger (`ShipmentLedger`), so the ledger sees
/// exactly what one task encoding line by line would have produced.
extension ShipperPipeline {
    /// Reads one chunk of lines when the memory budget allows it; returns whether every file
    /// was read to its end (then the loop may sleep).
    func readLines(now: ContinuousClock.Instant) -> Bool {
        guard let tailer else { return true }
        if memory.isExhausted { dropRecycledStorage() }
        guard !memory.isExhausted else {
            isPaused = true
            return true
        }
        isPaused = false
        let room = memory.room
        // Units beyond what the workers can take next would only wait in the queue, holding
        // memory; the loop wakes when one comes back.
        guard unitsInWork < 2 * pool.workerCount else { return true }
        var lines: Int64 = 0
        var bytes: Int64 = 0
        var truncated: Int64 = 0
        let summary: TailReadSummary
        do {
            // Lines come file by file: one dictionary lookup per run of lines, not per line.
            var current: (file: TailedFileID, shipment: FileShipment)?
            summary = try tailer.nextLines(maxBytes: min(Self.readChunkBytes, room)) { line in
                let shipment: FileShipment
                if let current, current.file == line.file {
                    shipment = current.shipment
                } else {
                    guard let found = shipments[line.file] else { return }
                    current = (line.file, found)
                    shipment = found
                }
                lines += 1
                bytes += line.range.upperBound - line.range.lowerBound
                if line.isTruncated { truncated += 1 }
                accept(line, into: shipment, now: now)
            }
        } catch {
            logger.warning("reading the log files failed", metadata: ["error": "\(error)"])
            return true
        }
        totalLines += lines
        totalBytes += bytes
        metrics.linesRead.increment(by: lines)
        metrics.bytesRead.increment(by: bytes)
        if truncated > 0 { metrics.linesTruncated.increment(by: truncated) }
        return summary.isCaughtUp
    }

    /// Copies one line into the file's pending unit; a line that ends a group closes it.
    private func accept(_ line: TailedLine, into shipment: FileShipment, now: ContinuousClock.Instant) {
        if !shipment.hasPendingUnit { startUnit(of: shipment, now: now) }
        let memoryOfUnit = shipment.append(line, now: now)
        if memoryOfUnit.after != memoryOfUnit.before {
            memory.resize(from: memoryOfUnit.before, to: memoryOfUnit.after)
        }
        if shipment.isGroupFull {
            closeGroup(of: shipment, now: now)
        }
    }

    private func startUnit(of shipment: FileShipment, now: ContinuousClock.Instant) {
        memory.reserve(shipment.startUnit(storage: takeStorage(), partitionCount: partitionCount, now: now))
    }

    /// Ends the group being read at the file's read offset: its unit gets the group's control
    /// record and goes to the encoders, and the next group starts. At the end of a file
    /// (`final`) a group without lines still gets a control record when a loss is left to
    /// report (in a unit of its own).
    func closeGroup(of shipment: FileShipment, final: Bool = false, now: ContinuousClock.Instant) {
        if shipment.groupCloseHasRecord(final: final) {
            if !shipment.hasPendingUnit { startUnit(of: shipment, now: now) }
            shipment.markGroupClose()
        }
        submitPendingUnit(of: shipment)
        shipment.startNextGroup(groupBytes: groupBytes)
    }

    /// Ends the checkpoint group at the file's read offset without ending the audit group
    /// (`ShipmentLedger`), so that once its batches are acknowledged the checkpoint covers
    /// every line read: when the file went quiet, and when the shipper stops. No record is
    /// added, so no sequence changes; a restart from a checkpoint at either kind of cut sends
    /// the same records with the same sequences.
    func cutCheckpointGroup(of shipment: FileShipment, now: ContinuousClock.Instant) {
        guard shipment.needsCheckpointCut else { return }
        if !shipment.hasPendingUnit { startUnit(of: shipment, now: now) }
        shipment.markCheckpointCut()
        submitPendingUnit(of: shipment)
        shipment.cutOffset = shipment.readOffset
    }

    /// Checkpoint cuts for files that read no line for `drain-idle` (a quiet vhost's log):
    /// their checkpoint then covers every acknowledged line, so nothing is sent again after a
    /// restart, however long the shipper was down (issue 13, hole 1).
    func cutIdleFiles(now: ContinuousClock.Instant) {
        let idle = configuration.tailer.drainIdle
        for shipment in shipments.values where shipment.readOffset > shipment.cutOffset {
            guard let last = shipment.lastLineAt, last.duration(to: now) >= idle else { continue }
            cutCheckpointGroup(of: shipment, now: now)
        }
    }

    /// Hands the file's pending unit, if any, to the encoders. What encoding it will take is
    /// reserved in `memory` (twice its bytes: records are about 1.9× the log text) until
    /// it comes back.
    func submitPendingUnit(of shipment: FileShipment) {
        guard let (unit, unitMemory) = shipment.takePendingUnit(wallClockMs: wallClockMs) else { return }
        unitsInWork += 1
        let encoding = 2 * unit.bytes.count
        memory.reserve(encoding)
        pool.submit(unit, reservedBytes: unitMemory + encoding)
    }

    /// Submits the pending units of files whose first pending line has waited `linger`.
    func submitLingered(now: ContinuousClock.Instant) {
        for shipment in shipments.values {
            guard let since = shipment.pendingSince, since.duration(to: now) >= configuration.linger else { continue }
            submitPendingUnit(of: shipment)
        }
    }

    /// A unit came back from the encoders: it and any later units already back are taken in
    /// serial order.
    func take(_ unit: EncodedUnit) {
        if workerRetainedBytes.indices.contains(unit.worker) {
            memory.resize(from: workerRetainedBytes[unit.worker], to: unit.workerRetainedBytes)
            workerRetainedBytes[unit.worker] = unit.workerRetainedBytes
        }
        guard let shipment = shipments[unit.file] else {
            // Unreachable while files retire only when settled (no unit in work).
            unitsInWork -= 1
            memory.release(unit.reservedBytes)
            recycle(unit.storage)
            return
        }
        for due in shipment.takeBack(unit) {
            integrate(due, into: shipment)
        }
    }

    /// The unit's batches become the file's sealed batches (in the ledger's open group), then
    /// the group ends if the unit closed it.
    private func integrate(_ unit: EncodedUnit, into shipment: FileShipment) {
        unitsInWork -= 1
        memory.release(unit.reservedBytes)
        recycle(unit.storage)
        shipment.integrateLines(of: unit)
        if unit.unparsedLines > 0 { metrics.linesUnparsed.increment(by: unit.unparsedLines) }
        if unit.rejectedLines > 0 {
            // Only lines beyond Cap'n Proto's 512 MiB blob limit, which max-line-bytes rules out.
            metrics.countLoss(.rejected, lines: Int64(unit.rejectedLines))
            logger.error("lines could not be encoded", metadata: ["file": "\(unit.file)", "lines": "\(unit.rejectedLines)"])
        }
        for var batch in unit.batches {
            if !shipment.storedAheadRemaining.isEmpty {
                guard skipStoredRecords(of: &batch, in: shipment) else { continue }
            }
            // Its allocation, not its length: NIO rounds buffers up to a power of two.
            let batchMemory = batch.bytes?.capacity ?? 0
            memory.reserve(batchMemory)
            shipment.appendSealed(
                FileShipment.SealedBatch(built: batch, group: shipment.ledger.batchSealed(), memoryBytes: batchMemory)
            )
        }
        shipment.integrateGroupEnd(of: unit)
    }

    /// After a restart, drops the batch's leading records that the broker stored already under
    /// an earlier producer id (the checkpoint's `storedAhead`), so they are not stored twice.
    /// Returns whether anything of the batch is left to send.
    private func skipStoredRecords(of batch: inout EncodedUnit.Batch, in shipment: FileShipment) -> Bool {
        guard let remaining = shipment.storedAheadRemaining[batch.partition], remaining > 0 else { return true }
        let skipped = min(remaining, batch.recordCount)
        shipment.storedAheadRemaining[batch.partition] = remaining == skipped ? nil : remaining - skipped
        shipment.ledger.recordsStoredBefore(partition: batch.partition, count: skipped)
        metrics.recordsStoredBefore.increment(by: Int64(skipped))
        guard skipped < batch.recordCount else { return false }
        // A batch's control record, if any, is its last record: it is kept.
        if var bytes = batch.bytes {
            do {
                // Built batches carry placeholder producer fields and no CRC yet; the trimmer
                // validates what it cuts, so the batch gets its CRC first (and is stamped for
                // its producer again when sent).
                BatchRestamp.restamp(&bytes, producerId: 0, producerEpoch: 0, baseSequence: 0)
                batch.bytes = try BatchTrimmer.trim(bytes, dropping: skipped)
            } catch {
                logger.error(
                    "cannot cut the records stored before from a batch",
                    metadata: ["file": "\(shipment.file)", "error": "\(error)"]
                )
                batch.bytes = nil  // counted as a loss when dispatched, never sent twice
            }
        }
        batch.recordCount -= skipped
        return true
    }

    private func takeStorage() -> [UInt8] {
        guard let storage = unitStorage.popLast() else { return [] }
        memory.release(storage.capacity)
        return storage
    }

    /// Gives back the unit storages kept for reuse: they are a cache, and with a small
    /// `memory-limit` they (with what the workers keep) could hold the whole budget while
    /// nothing is pending or in flight, and reading would never resume.
    private func dropRecycledStorage() {
        for storage in unitStorage { memory.release(storage.capacity) }
        unitStorage.removeAll()
    }

    /// Keeps a unit's storage for the next unit (reserved in `memory` while kept).
    func recycle(_ storage: [UInt8]) {
        guard unitStorage.count < Self.unitStoragePoolSize, storage.capacity > 0 else { return }
        memory.reserve(storage.capacity)
        unitStorage.append(storage)
    }
}
