import AccessRecord
import KafkaProtocol
import NIOCore

/// The records section of one RecordBatch v2 being filled, plus what the batch header needs.
/// Each record's value (a Cap'n Proto message) is written by `AccessRecordBuilder` straight
/// into the section's own storage, right after the record's Kafka header, so a record is
/// written once and never copied before compression.
///
/// Each record, as Kafka lays it out (KIP-98; varints are zig-zag LEB128):
/// ```
/// length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint
/// | keyLength varint | key | valueLength varint | value | headerCount varint (0)
/// ```
/// The two lengths that depend on the value are written before the value exists, so
/// `beginRecord` reserves two bytes for each (the width of every length from 64 to 8191,
/// which holds every request record of a line shorter than about 4 KB) and `endRecord` writes
/// them; only when a width turns out different is the value moved. Offset deltas count from
/// 0; timestamp deltas are from the first record's timestamp.
///
/// A class, so that the sections of a worker can live in an array while their noncopyable
/// builders are written in place.
final class RecordsSection {
    /// The records so far, and between `beginRecord` and `endRecord` the open record's header
    /// and value. Write the value with it, and nothing else.
    var builder: AccessRecordBuilder
    private(set) var recordCount: Int32 = 0
    /// Control records (fileStats) among the records.
    private(set) var controlRecords = 0
    /// Timestamp of the first record, -1 while empty.
    private(set) var baseTimestamp: Int64 = -1
    /// Largest timestamp, -1 while empty.
    private(set) var maxTimestamp: Int64 = -1
    /// The open record: where its header starts, where its value starts, and the largest
    /// timestamp before it (restored if it is cancelled).
    private var open: (headerStart: Int, valueStart: Int, maxTimestampBefore: Int64)?

    /// Bytes reserved for each of the two value-dependent lengths.
    private static let reservedLengthBytes = 2

    init(capacity: Int) {
        builder = AccessRecordBuilder(reservingCapacity: capacity)
    }

    /// Bytes of records (the uncompressed records section).
    var byteCount: Int { builder.byteCount }
    /// Bytes the section holds allocated: what it costs in memory.
    var capacity: Int { builder.capacity }
    var isEmpty: Bool { recordCount == 0 }

    /// Writes a record's header up to its value; the value is written next with `builder`,
    /// then `endRecord` (or `cancelRecord`) closes the record.
    ///
    /// - Precondition: no record is open.
    func beginRecord(timestamp: Int64, key: UnsafeRawBufferPointer) {
        precondition(open == nil, "beginRecord() while a record is open")
        let base = recordCount == 0 ? timestamp : baseTimestamp
        let headerStart = builder.byteCount
        // bodyLength (reserved) | attributes | timestampDelta | offsetDelta | keyLength | key
        // | valueLength (reserved): at most 2 + 1 + 10 + 5 + 5 + 2 bytes besides the key.
        withUnsafeTemporaryAllocation(byteCount: 25, alignment: 1) { stage in
            var index = Self.reservedLengthBytes
            stage[index] = 0
            index += 1
            index = Self.put(Self.zigZag(timestamp &- base), stage, at: index)
            index = Self.put(Self.zigZag(Int64(recordCount)), stage, at: index)
            index = Self.put(Self.zigZag(Int64(key.count)), stage, at: index)
            builder.appendFraming(UnsafeRawBufferPointer(rebasing: stage[..<index]))
        }
        builder.appendFraming(key)
        withUnsafeBytes(of: UInt16(0)) { builder.appendFraming($0) }
        open = (headerStart, builder.byteCount, maxTimestamp)
        if recordCount == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
    }

    /// Closes the open record once its value is written: fills in the two lengths (moving the
    /// value when they need other than two bytes each) and appends the header count.
    func endRecord(isControl: Bool = false) {
        guard let (headerStart, valueStart, _) = open else { preconditionFailure("endRecord() without beginRecord()") }
        open = nil
        withUnsafeBytes(of: UInt8(0)) { builder.appendFraming($0) }
        let valueLength = builder.byteCount - 1 - valueStart
        let valueLengthVarint = Self.zigZag(Int64(valueLength))
        // Attributes through key, as written by `beginRecord`.
        let middle = (headerStart + Self.reservedLengthBytes)..<(valueStart - Self.reservedLengthBytes)
        let body = middle.count + Self.size(valueLengthVarint) + valueLength + 1
        let bodyVarint = Self.zigZag(Int64(body))
        let extra = Self.size(bodyVarint) - Self.reservedLengthBytes + Self.size(valueLengthVarint)
            - Self.reservedLengthBytes
        if extra == 0 {
            builder.withUnsafeMutableBytes { raw in
                _ = Self.put(bodyVarint, raw, at: headerStart)
                _ = Self.put(valueLengthVarint, raw, at: middle.upperBound)
            }
        } else {
            // Rare: a value shorter than 64 or longer than 8191 bytes. Move the value (and the
            // header count after it), then write the header again around the kept middle.
            let kept = builder.withUnsafeMutableBytes { Array(UnsafeRawBufferPointer(rebasing: $0[middle])) }
            builder.shiftTail(valueStart..<builder.byteCount, by: extra)
            builder.withUnsafeMutableBytes { raw in
                var index = Self.put(bodyVarint, raw, at: headerStart)
                kept.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[index..<(index + kept.count)]).copyMemory(from: $0) }
                index += kept.count
                _ = Self.put(valueLengthVarint, raw, at: index)
            }
        }
        recordCount += 1
        if isControl { controlRecords += 1 }
    }

    /// Removes the open record, header and all (its value could not be written).
    func cancelRecord() {
        guard let (headerStart, _, maxTimestampBefore) = open else { return }
        open = nil
        builder.cancelRecord()
        builder.truncate(to: headerStart)
        maxTimestamp = maxTimestampBefore
        if recordCount == 0 { baseTimestamp = -1 }
    }

    /// Appends a record whose value is `value`'s bytes (tests, and callers holding a finished
    /// value).
    func append(timestamp: Int64, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        beginRecord(timestamp: timestamp, key: key)
        builder.appendFraming(value)
        endRecord()
    }

    /// Forgets the records, keeping the capacity.
    func reset() {
        builder.removeAll(keepingCapacity: true)
        recordCount = 0
        controlRecords = 0
        baseTimestamp = -1
        maxTimestamp = -1
        open = nil
    }

    /// The whole batch, records section LZ4-compressed (compression type 3), with placeholder
    /// producer fields (-1) and no CRC yet: `BatchRestamp` writes the producer id, epoch and
    /// base sequence, and the CRC over them, when the batch is sent.
    ///
    /// The records are compressed into `scratch` (kept by the caller, grown to the worst case
    /// once), then copied into a buffer sized for the batch: compressing straight into the
    /// batch's buffer would size it for LZ4's worst case (about the uncompressed size, then
    /// rounded up to a power of two by NIO), and a batch waits in memory until acknowledged.
    ///
    /// - Precondition: at least one record, none open.
    func build(codec: LZ4RecordsCodec, scratch: inout [UInt8]) throws -> ByteBuffer {
        precondition(recordCount > 0 && open == nil, "a batch holds at least one record, all closed")
        let bound = codec.maximumCompressedBytes(forInputBytes: byteCount)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let compressedCount = try builder.withUnsafeBytes { raw in
            try scratch.withUnsafeMutableBytes { space in
                try codec.compress(raw, intoSpace: space)
            }
        }
        let batchLength = RecordBatchHeader.byteCount - RecordBatchHeader.lengthPrefixByteCount + compressedCount
        guard batchLength <= Int(Int32.max) else {
            throw KafkaProtocolError.unencodable(field: "RecordBatch.batchLength", reason: "\(batchLength) bytes")
        }
        let header = RecordBatchHeader(
            baseOffset: 0,
            batchLength: Int32(batchLength),
            partitionLeaderEpoch: -1,
            crc: 0,
            attributes: RecordCompression.lz4.rawValue,
            lastOffsetDelta: recordCount - 1,
            baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp,
            producerID: -1,
            producerEpoch: -1,
            baseSequence: -1,
            recordsCount: recordCount
        )
        var batch = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.byteCount + compressedCount)
        header.write(to: &batch)
        scratch.withUnsafeBytes { _ = batch.writeBytes(UnsafeRawBufferPointer(rebasing: $0[..<compressedCount])) }
        return batch
    }

    // MARK: - Varints

    @inline(__always)
    private static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    private static func size(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// Writes `value` as unsigned LEB128 at `offset`; returns the offset after it.
    @inline(__always)
    private static func put(_ value: UInt64, _ raw: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var value = value
        var index = offset
        while value >= 0x80 {
            raw[index] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            index += 1
        }
        raw[index] = UInt8(truncatingIfNeeded: value)
        return index + 1
    }
}
