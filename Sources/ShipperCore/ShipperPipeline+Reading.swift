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
                line.bytes, line: 0..<line.bytes.count, origin: origin, into: &scratch)
            parsed = encoded.parseError == nil
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
            closeGroup(of: shipment)
        }
        return parsed
    }

    private func append(
        to shipment: FileShipment, partition: Int32, timestamp: Int64, key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer, now: ContinuousClock.Instant
    ) {
        let estimate = key.count + value.count + 24
        if let size = shipment.open[partition]?.uncompressedRecordsByteCount, size > 0,
            size + estimate > configuration.batchBytes
        {
            seal(shipment, partition: partition)
        }
        if shipment.open[partition] == nil {
            shipment.open[partition] = takeBuilder()
            if shipment.openSince == nil { shipment.openSince = now }
        }
        let before = shipment.open[partition]?.uncompressedRecordsByteCount ?? 0
        shipment.open[partition]?.append(timestamp: timestamp, keyBytes: key, valueBytes: value)
        let grown = (shipment.open[partition]?.uncompressedRecordsByteCount ?? 0) - before
        shipment.openBytes += grown
        bufferedBytes += grown
    }

    /// Ends the open group at the file's read offset: seals its batches and opens the next.
    func closeGroup(of shipment: FileShipment) {
        sealAll(shipment)
        shipment.ledger.closeGroup(at: shipment.readOffset)
        shipment.groupLimit = shipment.readOffset + groupBytes
    }

    /// Moves the open batch of `partition` to the file's sealed queue (still in the open group).
    func seal(_ shipment: FileShipment, partition: Int32) {
        guard let builder = shipment.open.removeValue(forKey: partition) else { return }
        shipment.openBytes -= builder.uncompressedRecordsByteCount
        let group = shipment.ledger.batchSealed()
        shipment.sealed.append(FileShipment.SealedBatch(partition: partition, group: group, builder: builder))
        if shipment.open.isEmpty { shipment.openSince = nil }
    }

    /// Seals every open batch of the file, partitions in ascending order (any fixed order
    /// would do: sequences are per partition).
    func sealAll(_ shipment: FileShipment) {
        for partition in shipment.open.keys.sorted() {
            seal(shipment, partition: partition)
        }
    }

    /// Seals the open batches of files whose oldest open record has waited `linger`.
    func sealLingered(now: ContinuousClock.Instant) {
        for shipment in shipments.values {
            guard let since = shipment.openSince, since.duration(to: now) >= configuration.linger else { continue }
            sealAll(shipment)
        }
    }

    func takeBuilder() -> RecordBatchBuilder {
        if let builder = builderPool.popLast() { return builder }
        return RecordBatchBuilder(initialCapacity: 64 * 1024)
    }

    func recycle(_ builder: RecordBatchBuilder) {
        guard builderPool.count < Self.builderPoolSize else { return }
        var builder = builder
        builder.reset()
        builderPool.append(builder)
    }
}
