import KafkaProtocol
import NIOCore

/// The records section of one RecordBatch v2 being filled, in one `[UInt8]` reserved up front
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
    private(set) var bytes: [UInt8]
    private(set) var recordCount: Int32 = 0
    /// Timestamp of the first record, -1 while empty.
    private(set) var baseTimestamp: Int64 = -1
    /// Largest timestamp, -1 while empty.
    private(set) var maxTimestamp: Int64 = -1

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var byteCount: Int { bytes.count }
    /// Bytes the section holds allocated: what it costs in memory.
    var capacity: Int { bytes.capacity }
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
        // 5 + 1 + 10 + 5 + 5 bytes at most before the key.
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            var count = Self.put(Self.zigZag(Int64(body)), raw, at: 0)
            raw[count] = 0
            count += 1
            count = Self.put(timestampDelta, raw, at: count)
            count = Self.put(offsetDelta, raw, at: count)
            count = Self.put(keyLength, raw, at: count)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
        bytes.append(contentsOf: key)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let count = Self.put(valueLength, raw, at: 0)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
        bytes.append(contentsOf: value)
        bytes.append(0)
        recordCount += 1
    }

    /// Forgets the records, keeping the capacity.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        recordCount = 0
        baseTimestamp = -1
        maxTimestamp = -1
    }

    /// The whole batch, records section LZ4-compressed (compression type 3), with placeholder
    /// producer fields (-1) and no CRC yet: `BatchRestamp` writes the producer id, epoch and
    /// base sequence, and the CRC over them, when the batch is sent.
    ///
    /// `compressed` is scratch space kept by the caller between batches.
    ///
    /// - Precondition: at least one record.
    func build(codec: LZ4RecordsCodec, scratch compressed: inout [UInt8]) throws -> ByteBuffer {
        precondition(recordCount > 0, "a batch holds at least one record")
        compressed.removeAll(keepingCapacity: true)
        try bytes.withUnsafeBytes { _ = try codec.compress($0, into: &compressed) }
        let batchLength = RecordBatchHeader.byteCount - RecordBatchHeader.lengthPrefixByteCount + compressed.count
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
        var batch = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.byteCount + compressed.count)
        header.write(to: &batch)
        batch.writeBytes(compressed)
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
