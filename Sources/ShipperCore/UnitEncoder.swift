import AccessRecord
import KafkaClient
import KafkaProtocol
import NIOCore
import NginxLog
import RequestEncoding

/// One worker's encoding state: a `ParsedLineEncoder` per source (parsers keep caches, so each
/// worker has its own), the record scratch, one records section per partition (reused, keeping
/// its capacity) and an LZ4 context (both in `PartitionBatches`). Turns an `EncodingUnit` into
/// built batches.
///
/// Per partition, records go into the open section in line order; a section is sealed when the
/// next record would take it past `batchBytes`, and every section is sealed at the unit's end,
/// partitions in ascending order. That is the order the batches come back in, and the order
/// their sequences are given in, so within a partition sequences follow the file.
struct UnitEncoder: ~Copyable {
    private var encoders: [ParsedLineEncoder]
    private var scratch = AccessRecordBuilder(reservingCapacity: 64 * 1024)
    /// Packs each built message into the record's value (or passes it through unpacked).
    private var values: RecordValueEncoder
    private var batches: PartitionBatches
    /// Which worker of the pool this is (its memory is accounted per worker).
    let worker: Int
    /// Most bytes of sections and scratch kept between units; above it they are freed after
    /// each unit, so many partitions or many workers cannot hold memory `memory-limit` does
    /// not see.
    private let retainBudget: Int

    /// - Parameter lz4Acceleration: 1 is `lz4 -1`; higher values are liblz4's negative levels.
    init(
        encoders: [ParsedLineEncoder],
        batchBytes: Int,
        worker: Int,
        retainBudget: Int,
        lz4Acceleration: Int,
        valueEncoding: RecordValueEncoding
    ) {
        self.encoders = encoders
        values = RecordValueEncoder(encoding: valueEncoding)
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
            checkpointCut: unit.checkpointCut,
            reservedBytes: reservedBytes,
            storage: [],
            worker: worker,
            workerRetainedBytes: 0
        )
        var origin = unit.origin
        unit.bytes.withUnsafeBytes { raw in
            for line in unit.lines {
                origin.fileOffset = UInt64(line.fileOffset)
                origin.truncated = line.isTruncated
                scratch.removeAll()
                do {
                    let encoded = try encoders[unit.sourceIndex].encodeLine(
                        raw,
                        line: line.bytes,
                        origin: origin,
                        into: &scratch
                    )
                    if encoded.parseError != nil { result.unparsedLines += 1 }
                    if encoded.timeUs > 0 { result.lastTimeUs = encoded.timeUs }
                    let timestamp = encoded.timeUs > 0 ? encoded.timeUs / 1000 : unit.wallClockMs
                    try scratch.withUnsafeBytes { record in
                        let site = UnsafeRawBufferPointer(rebasing: record[encoded.site])
                        let message = UnsafeRawBufferPointer(rebasing: record[encoded.message])
                        let partition = Partitioner.partition(forKey: site, partitionCount: unit.partitionCount)
                        try values.withValue(of: message) { value in
                            batches.append(
                                partition: Int(partition), timestamp: timestamp, key: site, value: value,
                                into: &result.batches)
                        }
                    }
                } catch {
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
        var retained = batches.retainedBytes + scratch.capacity + values.capacity
        if retained > retainBudget {
            batches.release()
            scratch = AccessRecordBuilder(reservingCapacity: 64 * 1024)
            values = RecordValueEncoder(encoding: values.encoding)
            retained = scratch.capacity
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
        scratch.removeAll()
        scratch.beginRecord()
        scratch.setKind(.fileStats)
        scratch.setTimeUs(timeUs)
        scratch.setText(.edge, unit.origin.edge)
        scratch.setText(.sourceFile, unit.origin.sourceFile)
        scratch.setFileOffset(UInt64(closing.groupStart))
        scratch.setEndOffset(UInt64(closing.groupEnd))
        scratch.setShippedLines(UInt64(closing.shippedLines))
        scratch.setLostLines(closing.lostLines)
        scratch.setLostBytes(closing.lostBytes.total)
        scratch.setLostBytesReplaced(closing.lostBytes.contentReplaced)
        scratch.setLostBytesUnfinished(closing.lostBytes.unfinishedLine)
        let message: Range<Int>
        do {
            message = try scratch.endRecord()
        } catch {
            return  // unreachable: a fixed-size record
        }
        let partition = Int(closing.statsPartition)
        guard batches.contains(partition: partition) else { return }
        scratch.withUnsafeBytes { raw in
            closing.statsKey.withUnsafeBytes { key in
                // A fixed-size record we just built is one framed message: packing cannot fail.
                _ = try? values.withValue(of: UnsafeRawBufferPointer(rebasing: raw[message])) { value in
                    batches.append(
                        partition: partition,
                        timestamp: timeUs / 1000,
                        key: key,
                        value: value,
                        isControl: true,
                        into: &result.batches
                    )
                }
            }
        }
    }
}
