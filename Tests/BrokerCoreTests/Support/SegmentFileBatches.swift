import Foundation

/// Record batches as they lie in a segment `.log` file, read independently of SegmentStore:
/// each batch is `baseOffset int64 | batchLength int32 | ...`, with attributes (int16) at byte 21
/// (RECORD_BATCH.md §2).
enum SegmentFileBatches {
    struct Batch {
        var baseOffset: Int64
        var totalBytes: Int
        var compressionCodec: Int
    }

    static func read(_ path: String) throws -> [Batch] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func integer(_ offset: Int, _ width: Int) -> Int64 {
            bytes[offset..<(offset + width)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
        var batches: [Batch] = []
        var position = 0
        while position + 61 <= bytes.count {
            let length = Int(Int32(truncatingIfNeeded: integer(position + 8, 4)))
            let total = length + 12
            guard length > 0, position + total <= bytes.count else { break }
            batches.append(
                Batch(
                    baseOffset: integer(position, 8),
                    totalBytes: total,
                    compressionCodec: Int(integer(position + 21, 2) & 0x07)
                )
            )
            position += total
        }
        return batches
    }
}
