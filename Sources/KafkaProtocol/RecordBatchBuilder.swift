import NIOCore

/// Writes one RecordBatch v2 from records, uncompressed or compressed through a
/// ``RecordsCodec``, with the CRC-32C computed over the result.
///
/// Offsets deltas are 0, 1, 2, … in append order (a fresh batch: `lastOffsetDelta =
/// recordCount - 1`). `baseTimestamp` is the first record's timestamp and `maxTimestamp` the
/// largest, as Kafka producers write them. The records section accumulates uncompressed in one
/// reusable buffer; ``reset()`` keeps its capacity for the next batch.
public struct RecordBatchBuilder: Sendable {
    /// Written as `baseOffset`; producers send 0 and the broker overwrites it.
    public var baseOffset: Int64
    /// Producers send -1 (or 0); the broker may stamp its own.
    public var partitionLeaderEpoch: Int32
    /// -1 unless the producer is idempotent (an id from InitProducerId).
    public var producerID: Int64
    public var producerEpoch: Int16
    /// The sequence number of the first record, -1 when not idempotent.
    public var baseSequence: Int32
    public var isTransactional: Bool

    /// Records appended since the last reset.
    public private(set) var recordCount: Int32 = 0
    /// Timestamp of the first record, -1 while empty.
    public private(set) var baseTimestamp: Int64 = -1
    /// Largest timestamp appended, -1 while empty.
    public private(set) var maxTimestamp: Int64 = -1
    private var section: ByteBuffer

    public init(
        baseOffset: Int64 = 0,
        partitionLeaderEpoch: Int32 = -1,
        producerID: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        isTransactional: Bool = false,
        initialCapacity: Int = 16 * 1024
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        self.section = ByteBufferAllocator().buffer(capacity: initialCapacity)
    }

    /// Bytes of the uncompressed records section so far (for batch-size limits).
    public var uncompressedRecordsByteCount: Int { section.readableBytes }

    /// Whether nothing has been appended since the last reset.
    public var isEmpty: Bool { recordCount == 0 }

    /// Appends one record.
    ///
    /// - Parameters:
    ///   - timestamp: ms since the epoch (CreateTime).
    ///   - key: `nil` for a null key.
    ///   - value: `nil` for a null value (a tombstone).
    public mutating func append(
        timestamp: Int64,
        keyBytes key: UnsafeRawBufferPointer?,
        valueBytes value: UnsafeRawBufferPointer?,
        headers: [RecordHeader] = []
    ) {
        if recordCount == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else {
            maxTimestamp = max(maxTimestamp, timestamp)
        }
        let timestampDelta = timestamp &- baseTimestamp
        let offsetDelta = Int64(recordCount)

        var bodyLength = 1 + Varint.encodedSize(signed: timestampDelta) + Varint.encodedSize(signed: offsetDelta)
        bodyLength += Self.nullableSize(key?.count) + Self.nullableSize(value?.count)
        bodyLength += Varint.encodedSize(signed: Int64(headers.count))
        for header in headers {
            bodyLength += Self.nullableSize(header.key.utf8.count) + Self.nullableSize(header.value?.count)
        }

        section.reserveCapacity(minimumWritableBytes: bodyLength + 5)
        section.writeVarlong(Int64(bodyLength))
        section.writeInteger(UInt8(0))  // attributes
        section.writeVarlong(timestampDelta)
        section.writeVarlong(offsetDelta)
        Self.writeNullable(key, to: &section)
        Self.writeNullable(value, to: &section)
        section.writeVarlong(Int64(headers.count))
        for header in headers {
            section.writeVarlong(Int64(header.key.utf8.count))
            section.writeString(header.key)
            if let headerValue = header.value {
                section.writeVarlong(Int64(headerValue.count))
                section.writeBytes(headerValue)
            } else {
                section.writeVarlong(-1)
            }
        }
        recordCount += 1
    }

    /// Appends one record from byte arrays.
    public mutating func append(timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        Self.withOptionalBytes(key) { keyBytes in
            Self.withOptionalBytes(value) { valueBytes in
                append(timestamp: timestamp, keyBytes: keyBytes, valueBytes: valueBytes, headers: headers)
            }
        }
    }

    /// The finished batch: header (``RecordBatchHeader``) + records section (compressed when `compression` is
    /// not `none`), CRC-32C filled in. The builder is left as it was; call ``reset()`` to reuse.
    ///
    /// - Parameters:
    ///   - compression: the codec id written to the attributes.
    ///   - codec: does the compressing; required unless `compression` is `none`, and its
    ///     ``RecordsCodec/compression`` must match.
    /// - Throws: ``KafkaProtocolError/unencodable(field:reason:)`` for an empty batch or one
    ///   over `Int32.max` bytes, ``KafkaProtocolError/unsupportedCompression(_:)`` without a
    ///   matching codec, ``KafkaProtocolError/codecFailed(reason:)`` when compressing fails.
    public func build(
        compression: RecordCompression = .none,
        codec: (any RecordsCodec)? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(KafkaProtocolError) -> ByteBuffer {
        guard recordCount > 0 else {
            throw .unencodable(field: "RecordBatch.records", reason: "a batch needs at least one record")
        }
        var compressed: [UInt8] = []
        if compression != .none {
            guard let codec, codec.compression == compression else { throw .unsupportedCompression(compression) }
            let result = section.withUnsafeReadableBytes { raw in
                Result { () throws(KafkaProtocolError) in
                    do {
                        try codec.compress(raw, into: &compressed)
                    } catch {
                        throw .codecFailed(reason: "\(error)")
                    }
                }
            }
            try result.get()
        }
        let sectionCount = compression == .none ? section.readableBytes : compressed.count
        let batchLength = RecordBatchHeader.byteCount - RecordBatchHeader.lengthPrefixByteCount + sectionCount
        guard batchLength <= Int(Int32.max) else {
            throw .unencodable(field: "RecordBatch.batchLength", reason: "\(batchLength) bytes exceed Int32.max")
        }
        var attributes = compression.rawValue
        if isTransactional { attributes |= 0x10 }
        let header = RecordBatchHeader(
            baseOffset: baseOffset,
            batchLength: Int32(batchLength),
            partitionLeaderEpoch: partitionLeaderEpoch,
            crc: 0,
            attributes: attributes,
            lastOffsetDelta: recordCount - 1,
            baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp,
            producerID: producerID,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence,
            recordsCount: recordCount
        )
        var batch = allocator.buffer(capacity: RecordBatchHeader.byteCount + sectionCount)
        header.write(to: &batch)
        if compression == .none {
            batch.writeImmutableBuffer(section)
        } else {
            batch.writeBytes(compressed)
        }
        let crc = batch.withUnsafeReadableBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.checksumStart...]))
        }
        batch.setInteger(crc, at: batch.readerIndex + RecordBatchHeader.crcOffset)
        return batch
    }

    /// Forgets the records (keeping the buffer's capacity); producer fields stay.
    public mutating func reset() {
        section.clear()
        recordCount = 0
        baseTimestamp = -1
        maxTimestamp = -1
    }

    // MARK: - Encoding helpers

    private static func nullableSize(_ count: Int?) -> Int {
        guard let count else { return 1 }  // -1 zig-zags to 0x01
        return Varint.encodedSize(signed: Int64(count)) + count
    }

    private static func writeNullable(_ bytes: UnsafeRawBufferPointer?, to buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeVarlong(-1)
            return
        }
        buffer.writeVarlong(Int64(bytes.count))
        buffer.writeBytes(bytes)
    }

    private static func withOptionalBytes<Result>(
        _ bytes: [UInt8]?,
        _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBytes { body($0) }
    }
}
