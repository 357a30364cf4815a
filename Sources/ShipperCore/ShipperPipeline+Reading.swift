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
    /// Reads one chunk of lines when the buffered bytes allow it; returns whether every file
    /// was read to its end (then the loop may sleep).
    func readLines(now: ContinuousClock.Instant) -> Bool {
        guard let tailer else { return true }
        let room = configuration.memoryLimit - bufferedBytes
        guard room > 0 else {
            isPaused = true
            return true
        }
        isPaused = false
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
        let before = shipment.pendingMemory
        // One in-place access to the unit: comparing it with nil or reading a property through
        // the optional would copy it (retaining its arrays and strings) once per line.
        let after =
            shipment.pendingUnit?.append(line.bytes, fileOffset: line.range.lowerBound, isTruncated: line.isTruncated)
            ?? 0
        if after != before {
            shipment.pendingMemory = after
            bufferedBytes += after - before
        }
        shipment.readGroupLines += 1
        shipment.readOffset = line.range.upperBound
        shipment.lastLineAt = now
        if shipment.readOffset >= shipment.groupLimit {
            closeGroup(of: shipment, now: now)
        }
    }

    private func startUnit(of shipment: FileShipment, now: ContinuousClock.Instant) {
        shipment.pendingUnit = EncodingUnit(
            file: shipment.file,
            serial: 0,
            sourceIndex: shipment.sourceIndex,
            origin: shipment.origin,
            partitionCount: partitionCount,
            storage: takeStorage()
        )
        shipment.pendingMemory = shipment.pendingUnit?.memoryBytes ?? 0
        bufferedBytes += shipment.pendingMemory
        shipment.hasPendingUnit = true
        shipment.pendingSince = now
    }

    /// Ends the group being read at the file's read offset: its unit gets the group's control
    /// record and goes to the encoders, and the next group starts. At the end of a file
    /// (`final`) a group without lines still gets a control record when a loss is left to
    /// report (in a unit of its own).
    func closeGroup(of shipment: FileShipment, final: Bool = false, now: ContinuousClock.Instant) {
        let lines = shipment.readGroupLines
        let hasLoss = shipment.unreportedLostLines > 0 || shipment.unreportedLostBytes > 0
        if lines > 0 || (final && hasLoss) {
            if !shipment.hasPendingUnit { startUnit(of: shipment, now: now) }
            shipment.pendingUnit?.closing = EncodingUnit.GroupClose(
                statsKey: shipment.statsKey,
                statsPartition: shipment.statsPartition,
                groupStart: shipment.readGroupStart,
                groupEnd: shipment.readOffset,
                shippedLines: lines,
                lostLines: shipment.unreportedLostLines,
                lostBytes: shipment.unreportedLostBytes,
                fallbackTimeUs: shipment.lastTimeUs
            )
            shipment.unreportedLostLines = 0
            shipment.unreportedLostBytes = 0
        }
        submitPendingUnit(of: shipment)
        shipment.readGroupStart = shipment.readOffset
        shipment.readGroupLines = 0
        shipment.groupLimit = shipment.readOffset + groupBytes
        shipment.cutOffset = shipment.readOffset
    }

    /// Ends the checkpoint group at the file's read offset without ending the audit group
    /// (`ShipmentLedger`), so that once its batches are acknowledged the checkpoint covers
    /// every line read: when the file went quiet, and when the shipper stops. No record is
    /// added, so no sequence changes; a restart from a checkpoint at either kind of cut sends
    /// the same records with the same sequences.
    func cutCheckpointGroup(of shipment: FileShipment, now: ContinuousClock.Instant) {
        guard shipment.readOffset > shipment.cutOffset, !shipment.isSuperseded else { return }
        if !shipment.hasPendingUnit { startUnit(of: shipment, now: now) }
        shipment.pendingUnit?.checkpointCut = EncodingUnit.CheckpointCut(
            offset: shipment.readOffset,
            auditGroupStart: shipment.readGroupStart,
            auditGroupLines: shipment.readGroupLines
        )
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
    /// reserved in `bufferedBytes` (twice its bytes: records are about 1.9× the log text) until
    /// it comes back.
    func submitPendingUnit(of shipment: FileShipment) {
        guard var unit = shipment.pendingUnit.take() else { return }
        shipment.hasPendingUnit = false
        shipment.pendingSince = nil
        unit.serial = shipment.nextUnitSerial
        unit.wallClockMs = wallClockMs
        shipment.nextUnitSerial += 1
        unitsInWork += 1
        let encoding = 2 * unit.bytes.count
        bufferedBytes += encoding
        let reserved = shipment.pendingMemory + encoding
        shipment.pendingMemory = 0
        pool.submit(unit, reservedBytes: reserved)
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
            bufferedBytes += unit.workerRetainedBytes - workerRetainedBytes[unit.worker]
            workerRetainedBytes[unit.worker] = unit.workerRetainedBytes
        }
        guard let shipment = shipments[unit.file] else {
            // Unreachable while files retire only when settled (no unit in work).
            unitsInWork -= 1
            bufferedBytes -= unit.reservedBytes
            recycle(unit.storage)
            return
        }
        guard unit.serial == shipment.nextUnitToTake else {
            shipment.encodedAhead[unit.serial] = unit
            return
        }
        integrate(unit, into: shipment)
        while let next = shipment.encodedAhead.removeValue(forKey: shipment.nextUnitToTake) {
            integrate(next, into: shipment)
        }
    }

    /// The unit's batches become the file's sealed batches (in the ledger's open group), then
    /// the group ends if the unit closed it.
    private func integrate(_ unit: EncodedUnit, into shipment: FileShipment) {
        shipment.nextUnitToTake += 1
        unitsInWork -= 1
        bufferedBytes -= unit.reservedBytes
        recycle(unit.storage)
        shipment.ledger.linesRead(unit.lineCount)
        // The fallback time of a control record: the last parsed time of the group being closed,
        // never one of an earlier group.
        if unit.closedGroupAt != nil {
            shipment.lastTimeUs = 0
        } else if unit.lastTimeUs > 0 {
            shipment.lastTimeUs = unit.lastTimeUs
        }
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
            let memory = batch.bytes?.capacity ?? 0
            bufferedBytes += memory
            shipment.appendSealed(
                FileShipment.SealedBatch(built: batch, group: shipment.ledger.batchSealed(), memoryBytes: memory)
            )
        }
        if let end = unit.closedGroupAt {
            shipment.ledger.closeGroup(at: end)
        } else if let cut = unit.checkpointCut {
            shipment.ledger.closeGroup(
                at: cut.offset,
                auditGroup: Checkpoint.AuditGroup(
                    start: cut.auditGroupStart,
                    lines: Int64(cut.auditGroupLines),
                    lastTimeUs: shipment.lastTimeUs
                )
            )
        }
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
        bufferedBytes -= storage.capacity
        return storage
    }

    /// Keeps a unit's storage for the next unit (counted in `bufferedBytes` while kept).
    func recycle(_ storage: [UInt8]) {
        guard unitStorage.count < Self.unitStoragePoolSize, storage.capacity > 0 else { return }
        bufferedBytes += storage.capacity
        unitStorage.append(storage)
    }
}
