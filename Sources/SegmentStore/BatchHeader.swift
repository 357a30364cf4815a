/// The fixed 61-byte header of a Kafka v2 record batch (magic 2), read in place.
///
/// Byte layout (all integers big-endian):
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0  | 8 | baseOffset (int64) — overwritten by the log with the offset it assigns |
/// | 8  | 4 | batchLength (int32) — bytes *after* this field; whole batch = batchLength + 12 |
/// | 12 | 4 | partitionLeaderEpoch (int32) |
/// | 16 | 1 | magic (int8), must be 2 |
/// | 17 | 4 | crc (uint32), CRC-32C of bytes 21..<end (checked by the injected `BatchValidator`) |
/// | 21 | 2 | attributes (int16) |
/// | 23 | 4 | lastOffsetDelta (int32) |
/// | 27 | 8 | baseTimestamp (int64, ms) |
/// | 35 | 8 | maxTimestamp (int64, ms) |
/// | 43 | 8 | producerId (int64) |
/// | 51 | 2 | producerEpoch (int16) |
/// | 53 | 4 | baseSequence (int32) |
/// | 57 | 4 | recordsCount (int32) |
/// | 61 | … | records (opaque to the storage layer, possibly compressed) |
///
/// Parsing only checks that 61 bytes are there; `structuralProblem(maxBatchBytes:)` says whether
/// the header describes a batch the log may store.
public struct BatchHeader: Sendable, Hashable {
    /// Size of the fixed header.
    public static let size = 61
    /// Bytes up to and including `batchLength`; whole batch size = `batchLength + lengthPrefixBytes`.
    public static let lengthPrefixBytes = 12
    /// The smallest legal `batchLength`: a header without records.
    public static let minimumBatchLength = Int32(size - lengthPrefixBytes)
    /// The only format the log stores.
    public static let supportedMagic: Int8 = 2
    /// Byte position of `baseOffset`, the one field the log rewrites.
    public static let baseOffsetPosition = 0

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordsCount: Int32

    /// Reads the header at the start of `bytes`; `nil` when fewer than 61 bytes are given.
    /// No field is interpreted here, so hostile bytes cannot trap.
    public init?(parsing bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size else { return nil }
        baseOffset = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        batchLength = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int32.self))
        partitionLeaderEpoch = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 12, as: Int32.self))
        magic = Int8(bitPattern: bytes[16])
        crc = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 17, as: UInt32.self))
        attributes = Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: 21, as: Int16.self))
        lastOffsetDelta = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 23, as: Int32.self))
        baseTimestamp = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 27, as: Int64.self))
        maxTimestamp = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 35, as: Int64.self))
        producerId = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 43, as: Int64.self))
        producerEpoch = Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: 51, as: Int16.self))
        baseSequence = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 53, as: Int32.self))
        recordsCount = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 57, as: Int32.self))
    }

    /// Whole batch size in bytes (`batchLength + 12`), valid once `batchLength >= 0` was checked.
    public var totalBytes: Int { Int(batchLength) + Self.lengthPrefixBytes }

    /// Offset of the last record; traps neither for hostile `lastOffsetDelta` (checked first by
    /// `structuralProblem`) nor for any `baseOffset` the log assigns (kept below `Int64.max / 2`).
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// Why this header cannot describe a batch the log stores, or `nil` when it can.
    ///
    /// The storage's own checks, independent of the CRC: magic 2; `batchLength` at least the
    /// header (49) and the whole batch at most `maxBatchBytes`; at least one record and
    /// `lastOffsetDelta == recordsCount - 1` (a batch as producers write it; this also bounds
    /// how far one batch can move the log end).
    public func structuralProblem(maxBatchBytes: Int) -> String? {
        if magic != Self.supportedMagic { return "magic \(magic), expected 2" }
        if batchLength < Self.minimumBatchLength {
            return "batchLength \(batchLength) below \(Self.minimumBatchLength)"
        }
        if totalBytes > maxBatchBytes { return "batch of \(totalBytes) bytes over the limit \(maxBatchBytes)" }
        if recordsCount < 1 { return "recordsCount \(recordsCount)" }
        if lastOffsetDelta != recordsCount - 1 {
            return "lastOffsetDelta \(lastOffsetDelta) does not match recordsCount \(recordsCount)"
        }
        return nil
    }

    /// Writes `offset` big-endian into bytes 0..<8 of a batch.
    static func store(baseOffset offset: Int64, into batch: UnsafeMutableRawBufferPointer) {
        precondition(batch.count >= 8, "a batch header has 61 bytes")
        batch.storeBytes(of: offset.bigEndian, toByteOffset: Self.baseOffsetPosition, as: Int64.self)
    }
}
