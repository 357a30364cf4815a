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
/// Parsing checks the size and the magic byte only (the meaning of everything after byte 16
/// depends on it); ``RecordBatch/validate(_:)`` checks length and CRC as well.
public struct RecordBatchHeader: Sendable, Hashable {
    /// Bytes in the header.
    public static let byteCount = 61
    /// Bytes before the part `batchLength` counts (baseOffset + batchLength).
    public static let lengthPrefixByteCount = 12
    /// Where the CRC coverage starts (the attributes field).
    public static let checksumStart = 21

    static let baseOffsetOffset = 0
    static let batchLengthOffset = 8
    static let partitionLeaderEpochOffset = 12
    static let magicOffset = 16
    static let crcOffset = 17
    static let attributesOffset = 21

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
        magic = Int8(bitPattern: bytes[Self.magicOffset])
        guard magic == Self.currentMagic else { throw .badMagic(magic) }
        guard bytes.count >= Self.byteCount else { throw .truncated(field: "RecordBatch header") }
        func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type = T.self) -> T {
            T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        baseOffset = load(0)
        batchLength = load(8)
        partitionLeaderEpoch = load(12)
        crc = load(17)
        attributes = load(21)
        lastOffsetDelta = load(23)
        baseTimestamp = load(27)
        maxTimestamp = load(35)
        producerID = load(43)
        producerEpoch = load(51)
        baseSequence = load(53)
        recordsCount = load(57)
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
