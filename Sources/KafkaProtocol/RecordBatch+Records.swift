import NIOCore

/// Reading the records of a batch, decompressing through a ``RecordsCodec`` when the batch's
/// codec is not `none`. Both readers require the records section to hold exactly
/// `recordsCount` well-formed records and nothing else.
extension RecordBatch {
    /// The records as owning values. Uncompressed: key/value slice ``bytes`` (no copy).
    /// Compressed: the section is decompressed once, and key/value slice that one buffer.
    ///
    /// - Parameters:
    ///   - codec: required when the batch is compressed; its ``RecordsCodec/compression`` must
    ///     match the batch's.
    ///   - maxDecompressedBytes: the most bytes decompression may produce.
    public func records(
        decompressingWith codec: (any RecordsCodec)? = nil,
        maxDecompressedBytes: Int = RecordBatch.defaultMaxDecompressedBytes
    ) throws(KafkaProtocolError) -> [Record] {
        let section: ByteBuffer
        if header.compressionCodecID == RecordCompression.none.rawValue {
            section = recordsSection
        } else {
            var scratch: [UInt8] = []
            try decompress(with: codec, maxDecompressedBytes: maxDecompressedBytes, into: &scratch)
            section = ByteBuffer(bytes: scratch)
        }
        let baseOffset = header.baseOffset
        let baseTimestamp = header.baseTimestamp
        let count = header.recordsCount
        let result = section.withUnsafeReadableBytes { raw in
            Result { () throws(KafkaProtocolError) -> [Record] in
                var records: [Record] = []
                do {
                    try RecordParser.records(raw, count: count) { layout in
                        records.append(
                            Record(
                                offset: baseOffset &+ Int64(layout.offsetDelta),
                                timestamp: baseTimestamp &+ layout.timestampDelta,
                                key: layout.key.map { section.slice(at: $0) },
                                value: layout.value.map { section.slice(at: $0) },
                                headers: Self.headers(raw, layout)
                            )
                        )
                    }
                } catch let error as KafkaProtocolError {
                    throw error
                } catch {
                    throw .invalidRecord(reason: "\(error)")  // unreachable: the body does not throw
                }
                return records
            }
        }
        return try result.get()
    }

    /// Calls `body` with each record, borrowed from the batch or from `scratch` (which receives
    /// the decompressed section and keeps its capacity for the next batch). Allocates nothing
    /// per record.
    ///
    /// - Throws: ``KafkaProtocolError`` for malformed or undecodable records, or what `body`
    ///   throws (iteration stops there).
    public func forEachRecord(
        decompressingWith codec: (any RecordsCodec)? = nil,
        maxDecompressedBytes: Int = RecordBatch.defaultMaxDecompressedBytes,
        scratch: inout [UInt8],
        _ body: (RecordView) throws -> Void
    ) throws {
        let baseOffset = header.baseOffset
        let baseTimestamp = header.baseTimestamp
        let count = header.recordsCount
        func visit(_ raw: UnsafeRawBufferPointer) throws {
            try RecordParser.records(raw, count: count) { layout in
                try body(
                    RecordView(
                        offsetDelta: layout.offsetDelta,
                        timestampDelta: layout.timestampDelta,
                        offset: baseOffset &+ Int64(layout.offsetDelta),
                        timestamp: baseTimestamp &+ layout.timestampDelta,
                        key: layout.key.map { UnsafeRawBufferPointer(rebasing: raw[$0]) },
                        value: layout.value.map { UnsafeRawBufferPointer(rebasing: raw[$0]) },
                        headerBytes: UnsafeRawBufferPointer(rebasing: raw[layout.headers]),
                        headerCount: layout.headerCount
                    )
                )
            }
        }
        if header.compressionCodecID == RecordCompression.none.rawValue {
            try bytes.withUnsafeReadableBytes { raw in
                try visit(UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.byteCount...]))
            }
        } else {
            try decompress(with: codec, maxDecompressedBytes: maxDecompressedBytes, into: &scratch)
            try scratch.withUnsafeBytes { try visit($0) }
        }
    }

    /// Like ``forEachRecord(decompressingWith:maxDecompressedBytes:scratch:_:)`` with a
    /// temporary scratch buffer.
    public func forEachRecord(
        decompressingWith codec: (any RecordsCodec)? = nil,
        maxDecompressedBytes: Int = RecordBatch.defaultMaxDecompressedBytes,
        _ body: (RecordView) throws -> Void
    ) throws {
        var scratch: [UInt8] = []
        try forEachRecord(
            decompressingWith: codec,
            maxDecompressedBytes: maxDecompressedBytes,
            scratch: &scratch,
            body
        )
    }

    /// Replaces `output` with the decompressed records section.
    func decompress(
        with codec: (any RecordsCodec)?,
        maxDecompressedBytes: Int,
        into output: inout [UInt8]
    ) throws(KafkaProtocolError) {
        guard let compression = header.compression else { throw .unknownCompression(header.compressionCodecID) }
        guard let codec, codec.compression == compression else { throw .unsupportedCompression(compression) }
        output.removeAll(keepingCapacity: true)
        let limit = max(0, maxDecompressedBytes)
        let result = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(KafkaProtocolError) in
                do {
                    try codec.decompress(
                        UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.byteCount...]),
                        into: &output,
                        maxOutputBytes: limit
                    )
                } catch let error as KafkaProtocolError {
                    throw error
                } catch {
                    throw .codecFailed(reason: "\(error)")
                }
            }
        }
        try result.get()
        guard output.count <= limit else { throw .decompressedSizeExceeded(limit: limit) }
    }

    private static func headers(_ raw: UnsafeRawBufferPointer, _ layout: RecordParser.Layout) -> [RecordHeader] {
        guard layout.headerCount > 0 else { return [] }
        var headers: [RecordHeader] = []
        var index = layout.headers.lowerBound
        let bytes = UnsafeRawBufferPointer(rebasing: raw[..<layout.headers.upperBound])
        for _ in 0..<layout.headerCount {
            // Already validated by RecordParser.record.
            guard let (key, value) = try? RecordParser.header(bytes, at: &index) else { break }
            headers.append(
                RecordHeader(
                    key: String(decoding: UnsafeRawBufferPointer(rebasing: raw[key]), as: UTF8.self),
                    value: value.map { Array(UnsafeRawBufferPointer(rebasing: raw[$0])) }
                )
            )
        }
        return headers
    }
}

extension ByteBuffer {
    /// The bytes at `range` of the readable region, as a slice.
    fileprivate func slice(at range: Range<Int>) -> ByteBuffer {
        getSlice(at: readerIndex + range.lowerBound, length: range.count) ?? ByteBuffer()
    }
}
