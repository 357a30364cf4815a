/// Compresses and decompresses the records section of a RecordBatch for one
/// ``RecordCompression`` codec. The seam through which ``RecordBatchBuilder`` and
/// ``RecordBatch`` reach a compression library, so this module stays free of any.
///
/// The LZ4 conformance wraps `LZ4Frame`'s `LZ4FrameEncoder` / `LZ4FrameDecoder`, whose methods
/// have exactly these shapes. The frame it writes must use independent blocks (Kafka's Java
/// reader rejects linked ones) and a correct header checksum (KIP-57); its reader must accept
/// content-size frames (kafka-python writes FLG 0x68). See RECORD_BATCH.md §5.
///
/// Implementations need not be thread-safe: use one per thread or connection.
public protocol RecordsCodec {
    /// The codec id this implementation handles.
    var compression: RecordCompression { get }

    /// Appends the compressed form of `input` (one whole blob, e.g. one LZ4 frame) to `output`,
    /// leaving the bytes already there untouched.
    ///
    /// - Returns: the number of bytes appended.
    @discardableResult
    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int

    /// Appends the decompressed bytes of `input` to `output`, never more than `maxOutputBytes`.
    /// Going over the limit must throw (ideally
    /// ``KafkaProtocolError/decompressedSizeExceeded(limit:)``) rather than allocate: this is
    /// the bound against decompression bombs.
    ///
    /// - Returns: the number of bytes appended.
    @discardableResult
    func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxOutputBytes: Int) throws -> Int
}
