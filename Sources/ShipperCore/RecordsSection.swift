import KafkaProtocol
import NIOCore

/// The records section of one RecordBatch v2 being filled, in one `[UInt8]` allocated up front
/// (so its memory is its `capacity`, known exactly), plus what the batch header needs.
///
/// Each record, as Kafka lays it out (KIP-98; varints are zig-zag LEB128):
/// ```
/// length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint
/// | keyLength varint | key | valueLength varint | value | headerCount varint (0)
/// ```
/// Offset deltas count from 0; timestamp deltas are from the first record's timestamp. This is
/// the shipper's hot path (one append per line), so varints are written through a stack
/// scratch in one copy rather than byte by byte.
struct RecordsSection: Sendable {
    /// Zero-filled storage of which the first `byteCount` bytes are records: keeping the
    /// array's count at its capacity lets one `append` write a whole record through one
    /// pointer, instead of five `Array.append` calls each checking uniqueness and capacity.
    private var storage: [UInt8]
    private(set) var byteCount = 0
    private(set) var recordCount: Int32 = 0
    /// Timestamp of the first record, -1 while empty.
    private(set) var baseTimestamp: Int64 = -1
    /// Largest timestamp, -1 while empty.
    private(set) var maxTimestamp: Int64 = -1

    init(capacity: Int) {
        storage = [UInt8](repeating: 0, count: max(capacity, 64))
    }

    /// Bytes the section holds allocated: what it costs in memory.
    var capacity: Int { storage.count }
    var isEmpty: Bool { recordCount == 0 }

    mutating func append(timestamp: Int64, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if recordCount == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let timestampDelta = Self.zigZag(timestamp &- baseTimestamp)
        let offsetDelta = Self.zigZag(Int64(recordCount))
        let keyLength = Self.zigZag(Int64(key.count))
        let valueLength = Self.zigZag(Int64(value.count))
        let body =
            1 + Self.size(timestampDelta) + Self.size(offsetDelta) + Self.size(keyLength) + key.count
            + Self.size(valueLength) + value.count + 1
        let bodyLength = Self.zigZag(Int64(body))
        let total = Self.size(bodyLength) + body
        if byteCount + total > storage.count {
            // Doubling, as Array would; rare once a pooled section has grown to batch size.
            storage.append(contentsOf: repeatElement(0, count: max(storage.count, total)))
        }
        let start = byteCount
        storage.withUnsafeMutableBytes { raw in
            var index = Self.put(bodyLength, raw, at: start)
            raw[index] = 0
            index += 1
            index = Self.put(timestampDelta, raw, at: index)
            index = Self.put(offsetDelta, raw, at: index)
            index = Self.put(keyLength, raw, at: index)
            UnsafeMutableRawBufferPointer(rebasing: raw[index..<(index + key.count)]).copyMemory(from: key)
            index += key.count
            index = Self.put(valueLength, raw, at: index)
            UnsafeMutableRawBufferPointer(rebasing: raw[index..<(index + value.count)]).copyMemory(from: value)
            index += value.count
            raw[index] = 0
        }
        byteCount = start + total
        recordCount += 1
    }

    /// Forgets the records, keeping the capacity.
    mutating func reset() {
        byteCount = 0
        recordCount = 0
        baseTimestamp = -1
        maxTimestamp = -1
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
    /// - Precondition: at least one record.
    func build(codec: LZ4RecordsCodec, scratch: inout [UInt8]) throws -> ByteBuffer {
        precondition(recordCount > 0, "a batch holds at least one record")
        let bound = codec.maximumCompressedBytes(forInputBytes: byteCount)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let compressedCount = try storage.withUnsafeBytes { raw in
            try scratch.withUnsafeMutableBytes { space in
                try codec.compress(UnsafeRawBufferPointer(rebasing: raw[..<byteCount]), intoSpace: space)
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
