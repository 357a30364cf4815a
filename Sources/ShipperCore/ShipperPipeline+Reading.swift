import AccessRecord
import KafkaClient
import KafkaProtocol
import LogTailing
import RequestEncoding

/// Lines in: each complete line is parsed and encoded straight from the tailer's buffer, its
/// partition picked from the site (Kafka's default partitioner, key = site bytes), and its
/// record appended to the open batch of (file, partition). A line that ends a group seals every
/// open batch of its file and closes the group (`ShipmentLedger`).
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
        var lines: Int64 = 0
        var bytes: Int64 = 0
        var unparsed: Int64 = 0
        var truncated: Int64 = 0
        let summary: TailReadSummary
        do {
            summary = try tailer.nextLines(maxBytes: min(Self.readChunkBytes, room)) { line in
                guard let shipment = shipments[line.file] else { return }
                lines += 1
                bytes += line.range.upperBound - line.range.lowerBound
                if line.isTruncated { truncated += 1 }
                if !accept(line, into: shipment, now: now) { unparsed += 1 }
            }
        } catch {
            logger.warning("reading the log files failed", metadata: ["error": "\(error)"])
            return true
        }
        totalLines += lines
        totalBytes += bytes
        metrics.linesRead.increment(by: lines)
        metrics.bytesRead.increment(by: bytes)
        if unparsed > 0 { metrics.linesUnparsed.increment(by: unparsed) }
        if truncated > 0 { metrics.linesTruncated.increment(by: truncated) }
        return summary.isCaughtUp
    }

    /// Encodes one line into its open batch; returns `false` when the line did not parse (it
    /// is shipped all the same, flagged, with its raw bytes).
    private func accept(_ line: TailedLine, into shipment: FileShipment, now: ContinuousClock.Instant) -> Bool {
        var origin = shipment.origin
        origin.fileOffset = UInt64(line.range.lowerBound)
        origin.truncated = line.isTruncated
        scratch.removeAll()
        var parsed = true
        do {
            let encoded = try encoders[line.sourceIndex].encodeLine(
                line.bytes,
                line: 0..<line.bytes.count,
                origin: origin,
                into: &scratch
            )
            parsed = encoded.parseError == nil
            if encoded.timeUs > 0 { shipment.groupLastTimeUs = encoded.timeUs }
            let timestamp = encoded.timeUs > 0 ? encoded.timeUs / 1000 : wallClockMs
            scratch.buffer.withUnsafeBytes { raw in
                let site = UnsafeRawBufferPointer(rebasing: raw[encoded.site])
                let message = UnsafeRawBufferPointer(rebasing: raw[encoded.message])
                let partition = Partitioner.partition(forKey: site, partitionCount: partitionCount)
                append(to: shipment, partition: partition, timestamp: timestamp, key: site, value: message, now: now)
            }
        } catch {
            // Only a line beyond Cap'n Proto's 512 MiB blob limit, which max-line-bytes rules out.
            metrics.countLoss(.rejected, lines: 1)
            logger.error("line could not be encoded", metadata: ["file": "\(line.file)", "error": "\(error)"])
        }
        shipment.ledger.lineRead()
        shipment.readOffset = line.range.upperBound
        if shipment.readOffset >= shipment.groupLimit {
            closeGroup(of: shipment, now: now)
        }
        return parsed
    }

    private func append(
        to shipment: FileShipment,
        partition: Int32,
        timestamp: Int64,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        now: ContinuousClock.Instant,
        isControl: Bool = false
    ) {
        let estimate = key.count + value.count + 32
        let index = Int(partition)
        if let size = shipment.open[index]?.byteCount, size > 0, size + estimate > configuration.batchBytes {
            seal(shipment, partition: partition)
        }
        if shipment.open[index] == nil {
            let section = takeSection()
            shipment.open[index] = section
            shipment.openCount += 1
            shipment.openBytes += section.capacity
            bufferedBytes += section.capacity
            if shipment.openSince == nil { shipment.openSince = now }
        }
        let before = shipment.open[index]?.capacity ?? 0
        shipment.open[index]?.append(timestamp: timestamp, key: key, value: value)
        let grown = (shipment.open[index]?.capacity ?? 0) - before
        if grown != 0 {
            shipment.openBytes += grown
            bufferedBytes += grown
        }
        if isControl { shipment.openControlRecords[index] += 1 }
    }

    /// Ends the open group at the file's read offset: appends the group's control record,
    /// seals its batches and opens the next group. At the end of a file (`final`) a group
    /// without lines still gets a control record when a loss is left to report.
    func closeGroup(of shipment: FileShipment, final: Bool = false, now: ContinuousClock.Instant) {
        let lines = shipment.ledger.openGroupLines
        let hasLoss = shipment.unreportedLostLines > 0 || shipment.unreportedLostBytes > 0
        if lines > 0 || (final && hasLoss) {
            appendFileStats(of: shipment, lines: lines, now: now)
        }
        sealAll(shipment)
        shipment.ledger.closeGroup(at: shipment.readOffset)
        shipment.groupLimit = shipment.readOffset + groupBytes
    }

    /// The control record of the open group (schema `kind = fileStats`): the lines of
    /// `[groupStart, readOffset)` shipped in this stream, and the losses not yet reported.
    /// It goes to the file's fixed stats partition, in the group, so it takes the same place
    /// in that partition's sequence whenever the group is re-created after a restart.
    private func appendFileStats(of shipment: FileShipment, lines: Int, now: ContinuousClock.Instant) {
        let timeUs = shipment.groupLastTimeUs > 0 ? shipment.groupLastTimeUs : wallClockMs * 1000
        scratch.removeAll()
        scratch.beginRecord()
        scratch.setKind(.fileStats)
        scratch.setTimeUs(timeUs)
        scratch.setText(.edge, shipment.origin.edge)
        scratch.setText(.sourceFile, shipment.origin.sourceFile)
        scratch.setFileOffset(UInt64(shipment.ledger.openGroupStart))
        scratch.setEndOffset(UInt64(shipment.readOffset))
        scratch.setShippedLines(UInt64(lines))
        scratch.setLostLines(shipment.unreportedLostLines)
        scratch.setLostBytes(shipment.unreportedLostBytes)
        let message: Range<Int>
        do {
            message = try scratch.endRecord()
        } catch {
            logger.error("control record could not be encoded", metadata: ["error": "\(error)"])
            return
        }
        shipment.unreportedLostLines = 0
        shipment.unreportedLostBytes = 0
        shipment.groupLastTimeUs = 0
        scratch.buffer.withUnsafeBytes { raw in
            shipment.statsKey.withUnsafeBytes { key in
                append(
                    to: shipment,
                    partition: shipment.statsPartition,
                    timestamp: timeUs / 1000,
                    key: key,
                    value: UnsafeRawBufferPointer(rebasing: raw[message]),
                    now: now,
                    isControl: true
                )
            }
        }
    }

    /// Moves the open batch of `partition` to the file's sealed queue (still in the open group)
    /// and hands it to the compressor.
    func seal(_ shipment: FileShipment, partition: Int32) {
        let index = Int(partition)
        guard let section = shipment.open[index] else { return }
        shipment.open[index] = nil
        shipment.openCount -= 1
        shipment.openBytes -= section.capacity
        let serial = shipment.nextSerial
        shipment.nextSerial += 1
        shipment.appendSealed(
            FileShipment.SealedBatch(
                partition: partition,
                group: shipment.ledger.batchSealed(),
                serial: serial,
                recordCount: section.recordCount,
                controlRecords: shipment.openControlRecords[index],
                uncompressedBytes: section.capacity
            )
        )
        shipment.openControlRecords[index] = 0
        compressor.submit(BatchCompressor.Job(file: shipment.file, serial: serial, section: section))
        if shipment.openCount == 0 { shipment.openSince = nil }
    }

    /// Seals every open batch of the file, partitions in ascending order (any fixed order
    /// would do: sequences are per partition).
    func sealAll(_ shipment: FileShipment) {
        guard shipment.openCount > 0 else { return }
        for index in shipment.open.indices where shipment.open[index] != nil {
            seal(shipment, partition: Int32(index))
        }
    }

    /// Seals the open batches of files whose oldest open record has waited `linger`.
    func sealLingered(now: ContinuousClock.Instant) {
        for shipment in shipments.values {
            guard let since = shipment.openSince, since.duration(to: now) >= configuration.linger else { continue }
            sealAll(shipment)
        }
    }

    /// A records section, reused when one is pooled. New ones start at up to 256 KiB and
    /// grow (doubling) while filled; `bufferedBytes` follows their capacity.
    func takeSection() -> RecordsSection {
        if let section = sectionPool.popLast() { return section }
        return RecordsSection(capacity: min(configuration.batchBytes, 256 << 10) + 4096)
    }

    func recycle(_ section: RecordsSection) {
        guard sectionPool.count < Self.sectionPoolSize else { return }
        var section = section
        section.reset()
        sectionPool.append(section)
    }
}
