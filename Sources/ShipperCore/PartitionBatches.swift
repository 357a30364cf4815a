import KafkaClient
import KafkaProtocol
import NIOCore

/// One worker's open batches: a records section per partition (reused, keeping its capacity),
/// the LZ4 context and the compression scratch. Records go into their partition's section in
/// the order they are appended; a section is sealed into a built batch when the next record
/// would take it past `batchBytes`, and `sealAll` seals what is left, partitions in ascending
/// order. That is the order the batches are returned in, and the order their sequences are
/// given in, so within a partition sequences follow the file.
///
/// Separate from the record scratch of `UnitEncoder` so that a record can be appended while
/// the scratch that holds it is borrowed.
struct PartitionBatches: ~Copyable {
    private var sections: [RecordsSection] = []
    private var controlRecords: [Int] = []
    /// LZ4 output of the batch being built, before it is copied into an exactly sized buffer.
    private var compressed: [UInt8] = []
    /// `nil` when no LZ4 context could be made: every batch then fails, and is counted lost.
    private let codec: LZ4RecordsCodec?
    private let batchBytes: Int

    /// - Parameter lz4Acceleration: 1 is `lz4 -1`; higher values are liblz4's negative levels.
    init(batchBytes: Int, lz4Acceleration: Int) {
        self.batchBytes = batchBytes
        let level = lz4Acceleration <= 1 ? 0 : -lz4Acceleration
        codec = try? LZ4RecordsCodec(options: .init(compressionLevel: level))
    }

    /// Bytes held allocated between units.
    var retainedBytes: Int {
        var total = compressed.count
        for section in sections { total += section.capacity }
        return total
    }

    /// Makes one section per partition; a no-op when the count is unchanged.
    mutating func prepare(partitionCount: Int) {
        guard sections.count != partitionCount else { return }
        // Small to start, doubling while filled: a section holds its share of one unit.
        sections = (0..<partitionCount).map { _ in RecordsSection(capacity: min(batchBytes, 64 << 10)) }
        controlRecords = Array(repeating: 0, count: partitionCount)
    }

    /// Frees the sections and the scratch (`prepare` makes new ones).
    mutating func release() {
        sections = []
        controlRecords = []
        compressed = []
    }

    func contains(partition: Int) -> Bool { sections.indices.contains(partition) }

    /// Appends one record to `partition`'s section, sealing that section first into `batches`
    /// when the record would not fit.
    ///
    /// - Precondition: `contains(partition:)`.
    mutating func append(
        partition: Int,
        timestamp: Int64,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        isControl: Bool = false,
        into batches: inout [EncodedUnit.Batch]
    ) {
        let estimate = key.count + value.count + 32
        let size = sections[partition].byteCount
        if size > 0, size + estimate > batchBytes {
            seal(partition: partition, into: &batches)
        }
        sections[partition].append(timestamp: timestamp, key: key, value: value)
        if isControl { controlRecords[partition] += 1 }
    }

    /// Seals every non-empty section, partitions in ascending order.
    mutating func sealAll(into batches: inout [EncodedUnit.Batch]) {
        for partition in sections.indices where !sections[partition].isEmpty {
            seal(partition: partition, into: &batches)
        }
    }

    private mutating func seal(partition: Int, into batches: inout [EncodedUnit.Batch]) {
        var bytes: ByteBuffer?
        if let codec {
            bytes = try? sections[partition].build(codec: codec, scratch: &compressed)
        }
        batches.append(
            EncodedUnit.Batch(
                partition: Int32(partition),
                recordCount: sections[partition].recordCount,
                controlRecords: controlRecords[partition],
                bytes: bytes
            )
        )
        sections[partition].reset()
        controlRecords[partition] = 0
    }
}
