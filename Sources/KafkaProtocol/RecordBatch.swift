import NIOCore

/// One whole RecordBatch v2 (header + records section) in a `ByteBuffer`, checked on the way in.
///
/// Invariant: ``bytes`` holds exactly one batch — its readable bytes are
/// ``RecordBatchHeader/totalByteCount`` long, magic is 2 — and ``header`` mirrors its header. Both change only together,
/// through ``setBaseOffset(_:)`` / ``setPartitionLeaderEpoch(_:)``, which rewrite the two
/// header fields the CRC does not cover, so the CRC stays valid (RECORD_BATCH.md §2).
///
/// The broker stores and serves these bytes as they came (DESIGN §4); only our own consumer
/// decompresses them (``records(decompressingWith:maxDecompressedBytes:)``).
public struct RecordBatch: Sendable, Equatable {
    /// The batch bytes, exactly ``RecordBatchHeader/totalByteCount`` readable bytes.
    public private(set) var bytes: ByteBuffer
    /// The parsed header.
    public private(set) var header: RecordBatchHeader

    /// Default bound on a decompressed records section (Kafka's own default max message size
    /// is 1 MiB compressed; LZ4 rarely exceeds 250:1 on log lines).
    public static let defaultMaxDecompressedBytes = 64 * 1024 * 1024

    /// Wraps `bytes` after full validation: magic, length and CRC-32C.
    public init(validating bytes: ByteBuffer) throws(KafkaProtocolError) {
        let result = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(KafkaProtocolError) in try RecordBatch.validate(raw) }
        }
        self.header = try result.get()
        self.bytes = bytes
    }

    /// Wraps `bytes` checking magic and length but not the CRC — for batches that were
    /// validated before they were stored and are read back from our own log.
    public init(trustingChecksumOf bytes: ByteBuffer) throws(KafkaProtocolError) {
        let header = try RecordBatchHeader(bytes)
        try Self.checkLength(header, available: bytes.readableBytes)
        self.header = header
        self.bytes = bytes
    }

    // MARK: - Validation on raw bytes

    /// Checks that `bytes` is exactly one valid batch: a whole header, magic 2, a
    /// ``RecordBatchHeader/totalByteCount`` equal to `bytes.count`, and a CRC-32C over the bytes
    /// from ``RecordBatchHeader/checksumStart`` on equal to the stored one. Usable on bytes straight from disk (log recovery) without a `ByteBuffer`.
    ///
    /// - Returns: the parsed header.
    @discardableResult
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(KafkaProtocolError) -> RecordBatchHeader {
        let header = try RecordBatchHeader(bytes)
        try checkLength(header, available: bytes.count)
        let actual = checksum(of: bytes)
        guard actual == header.crc else { throw .crcMismatch(expected: header.crc, actual: actual) }
        return header
    }

    /// Whether the CRC-32C of `batch` (exactly one whole batch) matches `header.crc`, for a
    /// caller that parsed the header already (the log on append and in recovery).
    ///
    /// - Precondition: `batch` holds at least a whole header.
    public static func checksumMatches(_ batch: UnsafeRawBufferPointer, header: RecordBatchHeader) -> Bool {
        precondition(batch.count >= RecordBatchHeader.byteCount, "a batch starts with a whole header")
        return checksum(of: batch) == header.crc
    }

    private static func checksum(of batch: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.checksum(UnsafeRawBufferPointer(rebasing: batch[RecordBatchHeader.checksumStart...]))
    }

    private static func checkLength(_ header: RecordBatchHeader, available: Int) throws(KafkaProtocolError) {
        guard header.batchLength >= RecordBatchHeader.minimumBatchLength else {
            throw .invalidLength(field: "RecordBatch.batchLength", length: Int(header.batchLength))
        }
        guard header.totalByteCount == available else {
            throw .batchLengthMismatch(declared: header.totalByteCount, available: available)
        }
        guard header.recordsCount >= 0 else {
            throw .invalidLength(field: "RecordBatch.recordsCount", length: Int(header.recordsCount))
        }
    }

    // MARK: - Splitting a records field

    /// Splits a Produce/Fetch `records` field (batches back to back) into validated batches,
    /// each a slice of `records` (no copy).
    ///
    /// - Parameter allowingTrailingPartialBatch: `true` for Fetch responses, where a broker may
    ///   cut the last batch short and clients ignore the remainder; `false` for Produce, where
    ///   a short batch is corrupt.
    /// - Throws: on the first invalid batch (bad magic, impossible length, CRC mismatch), or a
    ///   truncated one when not allowed.
    public static func split(
        _ records: ByteBuffer,
        allowingTrailingPartialBatch: Bool = false
    ) throws(KafkaProtocolError) -> [RecordBatch] {
        var remaining = records
        var batches: [RecordBatch] = []
        while remaining.readableBytes > 0 {
            guard let batchLength = RecordBatchHeader.batchLength(in: remaining, at: remaining.readerIndex) else {
                if allowingTrailingPartialBatch { break }
                throw .truncated(field: "RecordBatch.batchLength")
            }
            guard batchLength >= RecordBatchHeader.minimumBatchLength else {
                throw .invalidLength(field: "RecordBatch.batchLength", length: Int(batchLength))
            }
            let total = Int(batchLength) + RecordBatchHeader.lengthPrefixByteCount
            guard let slice = remaining.readSlice(length: total) else {
                if allowingTrailingPartialBatch { break }
                throw .batchLengthMismatch(declared: total, available: remaining.readableBytes)
            }
            batches.append(try RecordBatch(validating: slice))
        }
        return batches
    }

    // MARK: - Derived views

    /// The bytes after the header: the records, or one compressed blob.
    public var recordsSection: ByteBuffer {
        bytes.getSlice(
            at: bytes.readerIndex + RecordBatchHeader.byteCount,
            length: bytes.readableBytes - RecordBatchHeader.byteCount
        ) ?? ByteBuffer()
    }

    /// CRC-32C of the bytes the checksum covers as they are now (equals ``RecordBatchHeader/crc`` for a valid
    /// batch).
    public func computeChecksum() -> UInt32 {
        bytes.withUnsafeReadableBytes { raw in Self.checksum(of: raw) }
    }

    // MARK: - In-place rewrites

    /// Sets `baseOffset` — what the broker does on append. The CRC does not
    /// cover it, so the batch stays valid. If ``bytes`` shares storage (e.g. with the request
    /// frame it was sliced from), this copies the batch once (copy-on-write).
    public mutating func setBaseOffset(_ offset: Int64) {
        bytes.setInteger(offset, at: bytes.readerIndex + RecordBatchHeader.baseOffsetOffset)
        header.baseOffset = offset
    }

    /// Sets `partitionLeaderEpoch`, also outside the CRC.
    public mutating func setPartitionLeaderEpoch(_ epoch: Int32) {
        bytes.setInteger(epoch, at: bytes.readerIndex + RecordBatchHeader.partitionLeaderEpochOffset)
        header.partitionLeaderEpoch = epoch
    }
}
