import FileStorage
import KafkaProtocol

/// A ``ProducerStateTable`` as of a log offset, in the partition directory beside the segments:
/// `<topic>-<partition>/<20-digit offset>.snapshot` (the offset is the log end the table
/// describes: every batch below it is in the table, none at or above it). Written when a
/// segment rolls (offset = the new segment's base) and at clean shutdown (offset = the log end),
/// always whole (``DurableFile``: temporary file, fsync, rename). Segment recovery ignores these
/// names.
///
/// Layout (integers big-endian):
///
/// ```
/// magic        4 bytes   "EDPS"
/// version      uint8     1
/// offset       int64     the log offset the table is as of
/// count        uint32    producers
/// count × producer:
///   producerId int64 | epoch int16 | lastAppendMs int64 | batchCount uint8 (1...5)
///   batchCount × batch: firstSequence int32 | recordCount int32 | baseOffset int64
/// crc32c       uint32    CRC-32C of every byte before it
/// ```
enum ProducerStateSnapshot {
    static let suffix = ".snapshot"
    static let magic: [UInt8] = Array("EDPS".utf8)
    static let version: UInt8 = 1

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// `00000000000000001234.snapshot` for offset 1234.
    static func fileName(offset: Int64) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The offset a snapshot file name carries; `nil` for any other name.
    static func offset(fromFileName name: String) -> Int64? {
        let bytes = Array(name.utf8)
        guard bytes.count == 20 + suffix.utf8.count, name.hasSuffix(suffix) else { return nil }
        var value: Int64 = 0
        for byte in bytes[0..<20] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }

    static func encode(_ table: ProducerStateTable, offset: Int64) -> [UInt8] {
        var bytes = magic
        bytes.append(version)
        append(offset, to: &bytes)
        append(UInt32(table.entries.count), to: &bytes)
        for (producerID, entry) in table.entries.sorted(by: { $0.key < $1.key }) {
            append(producerID, to: &bytes)
            append(entry.epoch, to: &bytes)
            append(entry.lastAppendMilliseconds, to: &bytes)
            bytes.append(UInt8(entry.batches.count))
            for batch in entry.batches {
                append(batch.firstSequence, to: &bytes)
                append(batch.recordCount, to: &bytes)
                append(batch.baseOffset, to: &bytes)
            }
        }
        append(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    /// Reads a snapshot back, checking the checksum and every count against the bytes present.
    static func decode(_ bytes: [UInt8]) throws(Invalid) -> (offset: Int64, table: ProducerStateTable) {
        guard bytes.count >= magic.count + 1 + 8 + 4 + 4 else { throw Invalid(description: "snapshot too short") }
        let body = bytes[0..<(bytes.count - 4)]
        var reader = Reader(bytes: bytes, index: bytes.count - 4)
        let stored: UInt32 = try reader.read()
        guard CRC32C.checksum(Array(body)) == stored else { throw Invalid(description: "snapshot fails its CRC-32C") }
        guard Array(bytes[0..<4]) == magic else { throw Invalid(description: "not a producer state snapshot") }
        reader = Reader(bytes: Array(body), index: 4)
        let fileVersion: UInt8 = try reader.read()
        guard fileVersion == version else { throw Invalid(description: "snapshot version \(fileVersion)") }
        let offset: Int64 = try reader.read()
        let count: UInt32 = try reader.read()
        // Each producer takes at least 43 bytes: a count beyond that is a lie.
        guard Int(count) <= (body.count - reader.index) / 43 else {
            throw Invalid(description: "snapshot claims \(count) producers")
        }
        var entries: [Int64: ProducerStateTable.Entry] = [:]
        for _ in 0..<count {
            let producerID: Int64 = try reader.read()
            let epoch: Int16 = try reader.read()
            let lastAppend: Int64 = try reader.read()
            let batchCount: UInt8 = try reader.read()
            guard (1...ProducerStateTable.retainedBatches).contains(Int(batchCount)), producerID >= 0, epoch >= 0 else {
                throw Invalid(description: "snapshot entry for producer \(producerID) is malformed")
            }
            var batches: [ProducerStateTable.StoredBatch] = []
            for _ in 0..<batchCount {
                let first: Int32 = try reader.read()
                let records: Int32 = try reader.read()
                let base: Int64 = try reader.read()
                guard first >= 0, records >= 1, base >= 0 else {
                    throw Invalid(description: "snapshot batch of producer \(producerID) is malformed")
                }
                batches.append(.init(firstSequence: first, recordCount: records, baseOffset: base))
            }
            entries[producerID] = ProducerStateTable.Entry(
                epoch: epoch,
                batches: batches,
                lastAppendMilliseconds: lastAppend
            )
        }
        guard reader.index == body.count else { throw Invalid(description: "bytes after the last producer") }
        return (offset, ProducerStateTable(entries: entries))
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Big-endian integers from a byte array, bounds-checked.
    private struct Reader {
        let bytes: [UInt8]
        var index: Int

        mutating func read<Integer: FixedWidthInteger>() throws(Invalid) -> Integer {
            let width = MemoryLayout<Integer>.size
            guard bytes.count - index >= width else { throw Invalid(description: "snapshot ends early") }
            var value: Integer = 0
            for byte in bytes[index..<(index + width)] { value = value << 8 | Integer(byte) }
            index += width
            return value
        }
    }
}
