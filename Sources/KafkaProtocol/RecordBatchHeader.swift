import NIOCore

/// The fixed 61-byte header of a RecordBatch v2 (magic 2), big-endian (RECORD_BATCH.md §2):
///
/// ```
/// off size field
///   0  8   baseOffset            offset of the first record; the broker overwrites it
///   8  4   batchLength           bytes after this field: total batch size = batchLength + 12
///  12  4   partitionLeaderEpoch  not covered by the CRC
///  16  1   magic                 must be 2
///  17  4   crc                   CRC-32C of bytes 21..<end
///  21  2   attributes            bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control
///  23  4   lastOffsetDelta       last offset - baseOffset
///  27  8   baseTimestamp
///  35  8   maxTimestamp
///  43  8   producerId            -1 unless idempotent
///  51  2   producerEpoch
///  53  4   baseSequence
///  57  4   recordsCount          never compressed
///  61      records section       (one compressed blob when the codec is not none)
/// ```
///
/// This file is the only place that knows these byte positions: the shipper's restamping, the
/// broker's produce path and the segment store all read and write header fields through this
/// type (one parse per batch, passed along), never through offsets of their own.
///
/// ``init(_:)-(UnsafeRawBufferPointer)`` checks the size and the magic byte (the meaning of
/// everything after byte 16 depends on it); ``init(readingFieldsOf:)`` reads the fields without
/// judging any, for the storage, which names a bad magic as one of its own defects;
/// ``RecordBatch/validate(_:)`` checks length and CRC as well.
public struct RecordBatchHeader: Sendable, Hashable {
    /// Bytes in the header.
    public static let byteCount = 61
    /// Bytes before the part `batchLength` counts (baseOffset + batchLength).
    public static let lengthPrefixByteCount = 12
    /// Where the CRC coverage starts (the attributes field).
    public static let checksumStart = attributesOffset
    /// The smallest legal `batchLength`: a header without records (61 - 12 = 49).
    public static let minimumBatchLength = Int32(byteCount - lengthPrefixByteCount)

    static let baseOffsetOffset = 0
    static let batchLengthOffset = 8
    static let partitionLeaderEpochOffset = 12
    static let magicOffset = 16
    static let crcOffset = 17
    static let attributesOffset = 21
    static let lastOffsetDeltaOffset = 23
    static let baseTimestampOffset = 27
    static let maxTimestampOffset = 35
    static let producerIDOffset = 43
    static let producerEpochOffset = 51
    static let baseSequenceOffset = 53
    static let recordsCountOffset = 57

    public static let currentMagic: Int8 = 2

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerID: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordsCount: Int32

    public init(
        baseOffset: Int64,
        batchLength: Int32,
        partitionLeaderEpoch: Int32,
        magic: Int8 = RecordBatchHeader.currentMagic,
        crc: UInt32,
        attributes: Int16,
        lastOffsetDelta: Int32,
        baseTimestamp: Int64,
        maxTimestamp: Int64,
        producerID: Int64,
        producerEpoch: Int16,
        baseSequence: Int32,
        recordsCount: Int32
    ) {
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordsCount = recordsCount
    }

    /// Parses the first 61 of `bytes` (more may follow).
    ///
    /// - Throws: ``KafkaProtocolError/truncated(field:)`` below 61 bytes (below 17 the magic
    ///   is unknown too), ``KafkaProtocolError/badMagic(_:)`` when magic is not 2.
    public init(_ bytes: UnsafeRawBufferPointer) throws(KafkaProtocolError) {
        guard bytes.count > Self.magicOffset else { throw .truncated(field: "RecordBatch.magic") }
        let magic = Int8(bitPattern: bytes[Self.magicOffset])
        guard magic == Self.currentMagic else { throw .badMagic(magic) }
        guard let header = Self(readingFieldsOf: bytes) else { throw .truncated(field: "RecordBatch header") }
        self = header
    }

    /// Reads every field of the first 61 of `bytes` without judging any (magic included), so
    /// hostile bytes cannot trap; `nil` below 61 bytes. For the storage, which checks the fields
    /// itself and names what is wrong.
    public init?(readingFieldsOf bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.byteCount else { return nil }
        func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type = T.self) -> T {
            T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        baseOffset = load(Self.baseOffsetOffset)
        batchLength = load(Self.batchLengthOffset)
        partitionLeaderEpoch = load(Self.partitionLeaderEpochOffset)
        magic = load(Self.magicOffset)
        crc = load(Self.crcOffset)
        attributes = load(Self.attributesOffset)
        lastOffsetDelta = load(Self.lastOffsetDeltaOffset)
        baseTimestamp = load(Self.baseTimestampOffset)
        maxTimestamp = load(Self.maxTimestampOffset)
        producerID = load(Self.producerIDOffset)
        producerEpoch = load(Self.producerEpochOffset)
        baseSequence = load(Self.baseSequenceOffset)
        recordsCount = load(Self.recordsCountOffset)
    }

    /// Parses the header at the reader index of `buffer` without moving it.
    public init(_ buffer: ByteBuffer) throws(KafkaProtocolError) {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(KafkaProtocolError) in try RecordBatchHeader(bytes) }
        }
        self = try result.get()
    }

    /// Appends the 61 header bytes.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(baseOffset)
        buffer.writeInteger(batchLength)
        buffer.writeInteger(partitionLeaderEpoch)
        buffer.writeInteger(magic)
        buffer.writeInteger(crc)
        buffer.writeInteger(attributes)
        buffer.writeInteger(lastOffsetDelta)
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producerID)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(baseSequence)
        buffer.writeInteger(recordsCount)
    }

    // MARK: - Rewriting fields in place

    /// Writes `offset` into the `baseOffset` field of the batch starting at `batch` (what a log
    /// does on append; the CRC does not cover it).
    ///
    /// - Precondition: `batch` holds at least the 61-byte header.
    public static func setBaseOffset(_ offset: Int64, in batch: UnsafeMutableRawBufferPointer) {
        precondition(batch.count >= byteCount, "a batch has a 61-byte header")
        batch.storeBytes(of: offset.bigEndian, toByteOffset: baseOffsetOffset, as: Int64.self)
    }

    /// Rewrites the producer fields (id, epoch, base sequence) of the whole batch at the reader
    /// index of `batch` and recomputes its CRC-32C. The records section is untouched, so a built
    /// (possibly compressed) batch can be sent again under other sequences without re-encoding.
    ///
    /// - Precondition: `batch` holds one whole batch from its reader index.
    public static func rewriteProducer(
        in batch: inout ByteBuffer,
        producerID: Int64,
        producerEpoch: Int16,
        baseSequence: Int32
    ) {
        precondition(batch.readableBytes >= byteCount, "a batch has a 61-byte header")
        let start = batch.readerIndex
        batch.setInteger(producerID, at: start + producerIDOffset)
        batch.setInteger(producerEpoch, at: start + producerEpochOffset)
        batch.setInteger(baseSequence, at: start + baseSequenceOffset)
        let crc = batch.withUnsafeReadableBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[checksumStart...]))
        }
        batch.setInteger(crc, at: start + crcOffset)
    }

    /// The `batchLength` of the batch at `position` in `buffer`, `nil` when fewer than 12 bytes
    /// are there. For splitting a records field without parsing whole headers.
    static func batchLength(in buffer: ByteBuffer, at position: Int) -> Int32? {
        buffer.getInteger(at: position + batchLengthOffset, as: Int32.self)
    }

    // MARK: - Derived values

    /// Size of the whole batch in bytes (`batchLength + 12`).
    public var totalByteCount: Int { Int(batchLength) + Self.lengthPrefixByteCount }

    /// Offset of the last record (`baseOffset + lastOffsetDelta`; wraps rather than traps on
    /// hostile values).
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// The log-end offset after appending this batch.
    public var nextOffset: Int64 { lastOffset &+ 1 }

    /// The codec id in attributes bits 0–2.
    public var compressionCodecID: Int16 { attributes & RecordCompression.attributeMask }

    /// The codec, or `nil` for ids 5–7 which no Kafka version defines.
    public var compression: RecordCompression? { RecordCompression(rawValue: compressionCodecID) }

    /// Bit 3: timestamps are LogAppendTime rather than CreateTime.
    public var hasLogAppendTime: Bool { attributes & 0x08 != 0 }
    /// Bit 4.
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    /// Bit 5: a transaction marker, hidden from applications.
    public var isControlBatch: Bool { attributes & 0x20 != 0 }
    /// Whether the producer is idempotent (a producer id was assigned).
    public var hasProducerID: Bool { producerID >= 0 }
}
