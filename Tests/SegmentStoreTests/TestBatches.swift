import FileStorage
import Synchronization
import Logging
import Testing

@testable import SegmentStore

/// Builds Kafka v2 record batches for storage tests, byte by byte from the layout table in
/// RECORD_BATCH.md §2 (never through `RecordBatchHeader`, whose storage use is under test).
///
/// The records section is opaque filler: the storage layer never looks inside it. Instead of
/// CRC-32C (which lives in the protocol library) the crc field holds a test checksum, FNV-1a
/// 32-bit over bytes 21..<end (the range the real CRC covers), checked by `validator`.
enum TestBatches {
    struct Spec: Sendable, Hashable {
        var records: Int32 = 1
        var payloadBytes = 40
        var baseTimestamp: Int64 = 1_700_000_000_000
        var maxTimestamp: Int64 = 1_700_000_000_000
        var producerId: Int64 = -1
        var seed: UInt8 = 0
    }

    static func make(_ spec: Spec) -> [UInt8] {
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        let totalBytes = 61 + spec.payloadBytes
        put(Int64(0))  // baseOffset, assigned by the log
        put(Int32(totalBytes - 12))  // batchLength
        put(Int32(-1))  // partitionLeaderEpoch
        bytes.append(2)  // magic
        put(UInt32(0))  // crc, filled in below
        put(Int16(0))  // attributes
        put(spec.records - 1)  // lastOffsetDelta
        put(spec.baseTimestamp)
        put(spec.maxTimestamp)
        put(spec.producerId)
        put(Int16(-1))  // producerEpoch
        put(Int32(-1))  // baseSequence
        put(spec.records)
        for index in 0..<spec.payloadBytes {
            bytes.append(UInt8(truncatingIfNeeded: index &* 31 &+ Int(spec.seed) &* 7 &+ 1))
        }
        precondition(bytes.count == totalBytes)
        let sum = checksum(bytes[21...])
        withUnsafeBytes(of: sum.bigEndian) { bytes.replaceSubrange(17..<21, with: $0) }
        return bytes
    }

    static func make(records: Int32 = 1, payloadBytes: Int = 40, timestamp: Int64 = 1_700_000_000_000, seed: UInt8 = 0)
        -> [UInt8]
    {
        make(
            Spec(
                records: records, payloadBytes: payloadBytes, baseTimestamp: timestamp, maxTimestamp: timestamp,
                seed: seed))
    }

    static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }

    /// Accepts a batch whose crc field matches the test checksum.
    static let validator = BatchValidator { _, batch in
        guard batch.count >= 21 else { return false }
        let stored = UInt32(batch[17]) << 24 | UInt32(batch[18]) << 16 | UInt32(batch[19]) << 8 | UInt32(batch[20])
        return stored == checksum(batch[21...])
    }

    /// `batch` as the log stores it: bytes 0..<8 hold `offset`, big-endian.
    static func stored(_ batch: [UInt8], at offset: Int64) -> [UInt8] {
        var copy = batch
        withUnsafeBytes(of: offset.bigEndian) { copy.replaceSubrange(0..<8, with: $0) }
        return copy
    }

    /// The base offset in bytes 0..<8 of a stored batch.
    static func baseOffset(of batch: ArraySlice<UInt8>) -> Int64 {
        batch.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// Splits back-to-back batches using only the batchLength field at bytes 8..<12.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var batches: [[UInt8]] = []
        var position = 0
        while position + 12 <= bytes.count {
            let length = bytes[(position + 8)..<(position + 12)].reduce(0) { $0 << 8 | Int($1) }
            let end = min(bytes.count, position + 12 + length)
            batches.append(Array(bytes[position..<end]))
            position = end
        }
        return batches
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    let now: Mutex<Int64>

    init(_ start: Int64 = 1_700_000_000_000) { now = Mutex(start) }

    func advance(by milliseconds: Int64) { now.withLock { $0 += milliseconds } }

    var milliseconds: Int64 { now.withLock { $0 } }

    var wallClock: WallClock {
        WallClock { [self] in now.withLock { $0 } }
    }
}

extension Logger {
    static let test = Logger(label: "SegmentStoreTests")
}

/// One appended batch as the test remembers it (its own ground truth, independent of the log).
struct AppendedBatch: Sendable, Hashable {
    var baseOffset: Int64
    var lastOffset: Int64
    var stored: [UInt8]
    var maxTimestamp: Int64
}

/// `#expect(actual == expected)` for byte arrays, reporting the sizes and the first differing
/// position instead of printing both arrays in full.
func expectBytes(
    _ actual: [UInt8]?,
    _ expected: [UInt8]?,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let detail: String
    if let actual, let expected {
        let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        detail =
            "\(actual.count) bytes, expected \(expected.count); first difference at \(firstDifference ?? min(actual.count, expected.count))"
    } else {
        detail =
            "\(actual.map { "\($0.count) bytes" } ?? "nil"), expected \(expected.map { "\($0.count) bytes" } ?? "nil")"
    }
    let suffix = comment.map { " (\($0.rawValue))" } ?? ""
    Issue.record(Comment(rawValue: "bytes differ: \(detail)\(suffix)"), sourceLocation: sourceLocation)
}
