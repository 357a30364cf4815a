import AccessRecord
import KafkaClient
import KafkaProtocol
import NIOCore
import NginxLog
import RequestEncoding

/// One worker's encoding state: a `ParsedLineEncoder` per source (parsers keep caches, so each
/// worker has its own), one records section per partition (reused, keeping its capacity) and
/// an LZ4 context (both in `PartitionBatches`). Turns an `EncodingUnit` into built batches.
///
/// Each line is parsed, its site picks the partition, and its record is written straight into
/// that partition's section. Per partition, records go into the open section in line order; a
/// section is sealed when the next record would take it past `batchBytes`, and every section is
/// sealed at the unit's end,
/// partitions in ascending order. That is the order the batches come back in, and the order
/// their sequences are given in, so within a partition sequences follow the file.
struct UnitEncoder: ~Copyable {
    private var encoders: [ParsedLineEncoder]
    private var batches: PartitionBatches
    /// Which worker of the pool this is (its memory is accounted per worker).
    let worker: Int
    /// Most bytes of sections and compression scratch kept between units; above it they are freed after
    /// each unit, so many partitions or many workers cannot hold memory `memory-limit` does
    /// not see.
    private let retainBudget: Int

    /// - Parameter lz4Acceleration: 1 is `lz4 -1`; higher values are liblz4's negative levels.
    init(encoders: [ParsedLineEncoder], batchBytes: Int, worker: Int, retainBudget: Int, lz4Acceleration: Int) {
        self.encoders = encoders
        self.worker = worker
        self.retainBudget = retainBudget
        batches = PartitionBatches(batchBytes: batchBytes, lz4Acceleration: lz4Acceleration)
    }

    /// Encodes `unit`; its byte storage moves into the result (for reuse), leaving `unit.bytes` empty.
    mutating func encode(_ unit: inout EncodingUnit, reservedBytes: Int) -> EncodedUnit {
        batches.prepare(partitionCount: Int(max(1, unit.partitionCount)))
        var result = EncodedUnit(
            file: unit.file,
            serial: unit.serial,
            batches: [],
            lineCount: unit.lines.count,
            unparsedLines: 0,
            rejectedLines: 0,
            lastTimeUs: 0,
            closedGroupAt: unit.closing?.groupEnd,
            reservedBytes: reservedBytes,
            storage: [],
            worker: worker,
            workerRetainedBytes: 0
        )
        var origin = unit.origin
        let partitionCount = unit.partitionCount
        unit.bytes.withUnsafeBytes { raw in
            for line in unit.lines {
                origin.fileOffset = UInt64(line.fileOffset)
                origin.truncated = line.isTruncated
                // Parse first: the site decides the partition, whose section the record is then
                // written into directly, right after its Kafka header (key = the site text).
                encoders[unit.sourceIndex].parse(raw, line: line.bytes)
                let timeUs = encoders[unit.sourceIndex].parsedTimeUs
                let timestamp = timeUs > 0 ? timeUs / 1000 : unit.wallClockMs
                let partition = encoders[unit.sourceIndex].withParsedSiteText(in: raw) {
                    Int(Partitioner.partition(forKey: $0, partitionCount: partitionCount))
                }
                // A record is about 1.8 times its line (2× and the fixed part leave room).
                let section = batches.section(
                    for: partition, expectedBytes: 2 * line.bytes.count + 256, sealingInto: &result.batches)
                encoders[unit.sourceIndex].withParsedSiteText(in: raw) {
                    section.beginRecord(timestamp: timestamp, key: $0)
                }
                do {
                    let encoded = try encoders[unit.sourceIndex].writeParsed(raw, origin: origin, into: &section.builder)
                    section.endRecord()
                    if encoded.parseError != nil { result.unparsedLines += 1 }
                    if timeUs > 0 { result.lastTimeUs = timeUs }
                } catch {
                    section.cancelRecord()
                    result.rejectedLines += 1
                }
            }
        }
        if let closing = unit.closing {
            appendFileStats(closing, of: unit, lastTimeUs: result.lastTimeUs, into: &result)
        }
        batches.sealAll(into: &result.batches)
        swap(&result.storage, &unit.bytes)
        result.storage.removeAll(keepingCapacity: true)
        var retained = batches.retainedBytes
        if retained > retainBudget {
            batches.release()
            retained = 0
        }
        result.workerRetainedBytes = retained
        return result
    }

    /// The group's control record (schema `kind = fileStats`): the lines of
    /// `[groupStart, groupEnd)` shipped in this stream and the losses not yet reported. It goes
    /// to the file's fixed stats partition, last in the group, so it takes the same place in
    /// that partition's sequence whenever the group is re-created after a restart.
    private mutating func appendFileStats(
        _ closing: EncodingUnit.GroupClose,
        of unit: EncodingUnit,
        lastTimeUs: Int64,
        into result: inout EncodedUnit
    ) {
        let timeUs =
            lastTimeUs > 0 ? lastTimeUs : closing.fallbackTimeUs > 0 ? closing.fallbackTimeUs : unit.wallClockMs * 1000
        let partition = Int(closing.statsPartition)
        guard batches.contains(partition: partition) else { return }
        let section = batches.section(for: partition, expectedBytes: 512, sealingInto: &result.batches)
        closing.statsKey.withUnsafeBytes { section.beginRecord(timestamp: timeUs / 1000, key: $0) }
        section.builder.beginRecord()
        section.builder.setKind(.fileStats)
        section.builder.setTimeUs(timeUs)
        section.builder.setText(.edge, unit.origin.edge)
        section.builder.setText(.sourceFile, unit.origin.sourceFile)
        section.builder.setFileOffset(UInt64(closing.groupStart))
        section.builder.setEndOffset(UInt64(closing.groupEnd))
        section.builder.setShippedLines(UInt64(closing.shippedLines))
        section.builder.setLostLines(closing.lostLines)
        section.builder.setLostBytes(closing.lostBytes)
        do {
            try section.builder.endRecord()
            section.endRecord(isControl: true)
        } catch {
            section.cancelRecord()  // unreachable: a fixed-size record
        }
    }
}
