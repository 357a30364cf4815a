import LogTailing

/// The read side of a file generation: lines go into its pending unit, groups are closed or
/// cut there, the unit is handed out with the next serial, and units coming back are put in
/// serial order. What memory changes hands is returned, never counted here: the pipeline's
/// `MemoryBudget` is shared by every file.
extension FileShipment {
    /// Starts a pending unit on `storage` (a recycled unit's bytes, or empty).
    /// - Returns: the unit's memory, to reserve.
    func startUnit(storage: [UInt8], partitionCount: Int32, now: ContinuousClock.Instant) -> Int {
        precondition(!hasPendingUnit, "one pending unit per file")
        pendingUnit = EncodingUnit(
            file: file,
            serial: 0,
            sourceIndex: sourceIndex,
            origin: origin,
            partitionCount: partitionCount,
            storage: storage
        )
        pendingMemory = pendingUnit?.memoryBytes ?? 0
        hasPendingUnit = true
        pendingSince = now
        return pendingMemory
    }

    /// Copies one line into the pending unit (which must exist).
    /// - Returns: the pending unit's memory before and after, for the budget.
    @inline(__always)
    func append(_ line: TailedLine, now: ContinuousClock.Instant) -> (before: Int, after: Int) {
        let before = pendingMemory
        // One in-place access to the unit: comparing it with nil or reading a property through
        // the optional would copy it (retaining its arrays and strings) once per line.
        let after =
            pendingUnit?.append(line.bytes, fileOffset: line.range.lowerBound, isTruncated: line.isTruncated) ?? 0
        pendingMemory = after
        readGroupLines += 1
        readOffset = line.range.upperBound
        lastLineAt = now
        return (before, after)
    }

    /// The line just read ended the open group (`batch-bytes` of file read in it).
    var isGroupFull: Bool { readOffset >= groupLimit }

    /// Whether closing the group being read writes a control record: it has lines, or, at the
    /// end of the file (`final`), a loss is left to report.
    func groupCloseHasRecord(final: Bool) -> Bool {
        readGroupLines > 0 || (final && (unreportedLostLines > 0 || !unreportedLostBytes.isEmpty))
    }

    /// Puts the control record of the group being read on the pending unit (which must
    /// exist); the losses it reports are reported.
    func markGroupClose() {
        precondition(hasPendingUnit, "a group's control record goes on a unit")
        pendingUnit?.closing = EncodingUnit.GroupClose(
            statsKey: statsKey,
            statsPartition: statsPartition,
            groupStart: readGroupStart,
            groupEnd: readOffset,
            shippedLines: readGroupLines,
            lostLines: unreportedLostLines,
            lostBytes: unreportedLostBytes,
            fallbackTimeUs: lastTimeUs
        )
        unreportedLostLines = 0
        unreportedLostBytes = LostFileBytes()
    }

    /// The next audit group starts at the read offset (after its predecessor was submitted).
    func startNextGroup(groupBytes: Int64) {
        readGroupStart = readOffset
        readGroupLines = 0
        groupLimit = readOffset + groupBytes
        cutOffset = readOffset
    }

    /// Lines were read after the last cut, and the checkpoint file is this generation's.
    var needsCheckpointCut: Bool { readOffset > cutOffset && !isSuperseded }

    /// Marks the pending unit (which must exist) as ending a checkpoint group at the read
    /// offset without ending the audit group.
    func markCheckpointCut() {
        precondition(hasPendingUnit, "a checkpoint cut goes on a unit")
        pendingUnit?.checkpointCut = EncodingUnit.CheckpointCut(
            offset: readOffset,
            auditGroupStart: readGroupStart,
            auditGroupLines: readGroupLines
        )
    }

    /// Takes the pending unit for the encoders, with the next serial.
    /// - Returns: the unit and the memory reserved for it so far; `nil` when none is pending.
    func takePendingUnit(wallClockMs: Int64) -> (unit: EncodingUnit, memory: Int)? {
        guard var unit = pendingUnit.take() else { return nil }
        hasPendingUnit = false
        pendingSince = nil
        unit.serial = nextUnitSerial
        unit.wallClockMs = wallClockMs
        nextUnitSerial += 1
        defer { pendingMemory = 0 }
        return (unit, pendingMemory)
    }

    /// A unit came back from the encoders.
    /// - Returns: the units now due, in serial order (this one and those that came back
    ///   before it); none while an earlier unit is still being encoded.
    func takeBack(_ unit: EncodedUnit) -> [EncodedUnit] {
        precondition(
            unit.serial >= nextUnitToTake && unit.serial < nextUnitSerial,
            "unit \(unit.serial) was handed out and is taken back once"
        )
        guard unit.serial == nextUnitToTake else {
            encodedAhead[unit.serial] = unit
            return []
        }
        var due = [unit]
        nextUnitToTake += 1
        while let next = encodedAhead.removeValue(forKey: nextUnitToTake) {
            due.append(next)
            nextUnitToTake += 1
        }
        return due
    }

    /// The unit's lines reach the ledger, and the fallback time of the group's control record
    /// follows the unit: the last parsed time of the group being closed, never one of an
    /// earlier group.
    func integrateLines(of unit: EncodedUnit) {
        ledger.linesRead(unit.lineCount)
        if unit.closedGroupAt != nil {
            lastTimeUs = 0
        } else if unit.lastTimeUs > 0 {
            lastTimeUs = unit.lastTimeUs
        }
    }

    /// The unit's group end (or checkpoint cut), if any, reaches the ledger after its batches.
    func integrateGroupEnd(of unit: EncodedUnit) {
        if let end = unit.closedGroupAt {
            ledger.closeGroup(at: end)
        } else if let cut = unit.checkpointCut {
            ledger.closeGroup(
                at: cut.offset,
                auditGroup: Checkpoint.AuditGroup(
                    start: cut.auditGroupStart,
                    lines: Int64(cut.auditGroupLines),
                    lastTimeUs: lastTimeUs
                )
            )
        }
    }
}
