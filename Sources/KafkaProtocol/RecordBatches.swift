import NIOCore

/// Whole record batches placed back to back — a Produce `records` field, or what one append to
/// a partition log stores — with each header parsed exactly once, so that everyone downstream
/// (producer-state checks, the log's own checks and CRC, its indexes) reads the parsed fields
/// instead of the bytes again.
///
/// Invariants: ``headers``\[i\] was read from the bytes at ``range(of:)``\(i\); the ranges are
/// contiguous, start at 0 and cover every readable byte of ``bytes``; every `batchLength` is at
/// least ``RecordBatchHeader/minimumBatchLength``. Nothing else is judged here: magic, record
/// counts, size limits and the CRC are the log's to check (`PartitionLog.append`).
public struct RecordBatches: Sendable {
    /// The batches' bytes, exactly (a slice of what was parsed: no copy).
    public let bytes: ByteBuffer
    /// One parsed header per batch, in order.
    public let headers: [RecordBatchHeader]
    /// Where each batch starts, relative to the reader index of ``bytes``.
    private let starts: [Int]

    /// Splits `records` into whole batches, reading each header once.
    ///
    /// - Throws: ``KafkaProtocolError/truncated(field:)`` when fewer bytes than a header remain,
    ///   ``KafkaProtocolError/invalidLength(field:length:)`` for a `batchLength` below a header,
    ///   ``KafkaProtocolError/batchLengthMismatch(declared:available:)`` when the last batch is
    ///   cut short. An empty `records` gives no batches.
    public init(parsing records: ByteBuffer) throws(KafkaProtocolError) {
        let parsed = records.withUnsafeReadableBytes { raw in
            Result { () throws(KafkaProtocolError) in try Self.split(raw) }
        }
        let (headers, starts) = try parsed.get()
        self.init(bytes: records, headers: headers, starts: starts)
    }

    private init(bytes: ByteBuffer, headers: [RecordBatchHeader], starts: [Int]) {
        precondition(headers.count == starts.count, "one start per header")
        self.bytes = bytes
        self.headers = headers
        self.starts = starts
    }

    private static func split(
        _ raw: UnsafeRawBufferPointer
    ) throws(KafkaProtocolError) -> ([RecordBatchHeader], [Int]) {
        var headers: [RecordBatchHeader] = []
        var starts: [Int] = []
        var position = 0
        while position < raw.count {
            let rest = UnsafeRawBufferPointer(rebasing: raw[position...])
            guard let header = RecordBatchHeader(readingFieldsOf: rest) else {
                throw .truncated(field: "RecordBatch header")
            }
            guard header.batchLength >= RecordBatchHeader.minimumBatchLength else {
                throw .invalidLength(field: "RecordBatch.batchLength", length: Int(header.batchLength))
            }
            guard header.totalByteCount <= rest.count else {
                throw .batchLengthMismatch(declared: header.totalByteCount, available: rest.count)
            }
            headers.append(header)
            starts.append(position)
            position += header.totalByteCount
        }
        return (headers, starts)
    }

    /// How many batches there are.
    public var count: Int { headers.count }

    /// The positions of the batches, `0..<count`.
    public var indices: Range<Int> { headers.indices }

    /// Whether any batch carries a producer id (an idempotent producer wrote it).
    public var hasProducerID: Bool { headers.contains { $0.hasProducerID } }

    /// The byte range of batch `index`, relative to the reader index of ``bytes``.
    public func range(of index: Int) -> Range<Int> {
        starts[index]..<(starts[index] + headers[index].totalByteCount)
    }

    /// Batch `index` on its own (a slice of ``bytes``: no copy, no second parse).
    public func batch(_ index: Int) -> RecordBatches {
        if count == 1, index == 0 { return self }  // the usual Produce: one batch per partition
        let range = range(of: index)
        guard let slice = bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count) else {
            preconditionFailure("the ranges cover the readable bytes")
        }
        return RecordBatches(bytes: slice, headers: [headers[index]], starts: [0])
    }
}
