import FileStorage
import KafkaProtocol
/// Walks the record batches of a `.log` file from a batch boundary, checking each one, and
/// stops at the first that is not whole and sound. Recovery uses it to find where a torn tail
/// starts and to rebuild indexes; nothing here trusts the bytes it reads.
///
/// Each batch passes the storage's own checks (`RecordBatchHeader.storageDefect`, the whole
/// batch inside the file, its base offset equal to the previous batch's last offset + 1, its
/// offsets inside the segment's 32-bit relative range). Batches that hold offsets at or above
/// `validateFromOffset` also pass the injected `BatchValidator`, which needs the whole batch
/// read; for the batches below it only their headers are read.
struct SegmentScanner {
    /// Where and why a scan stopped early.
    struct Stop: Sendable, Hashable {
        var position: Int64
        var reason: String
    }

    /// The result of a scan: the end of the last good batch and the offset after it.
    struct Outcome: Sendable, Hashable {
        var endPosition: Int64
        var nextOffset: Int64
        /// `nil` when the scan reached `endPosition == size` cleanly.
        var stop: Stop?
        /// Good batches that were read whole and passed the validator.
        var validatedBatches = 0
    }

    let file: any OpenFile
    let segmentBaseOffset: Int64
    /// Valid bytes of the file to consider (the file may be longer).
    let size: Int64
    let validator: BatchValidator

    /// Batches larger than this are treated as corrupt. Recovery passes a bound independent of
    /// today's configuration, so lowering `maxBatchBytes` never cuts batches accepted earlier.
    var maxBatchBytes = Int(Int32.max)

    /// Scans from `position` (a batch boundary whose batch has base offset `expectedOffset`),
    /// calling `body` with each good batch's header and position, in order. A batch whose last
    /// offset is at or above `validateFromOffset` is validated (`Int64.min`: every batch;
    /// `Int64.max`: none).
    func scan(
        from position: Int64,
        expectedOffset: Int64,
        validateFromOffset: Int64,
        _ body: (RecordBatchHeader, Int64) -> Void
    ) throws -> Outcome {
        var position = position
        var expectedOffset = expectedOffset
        var validatedBatches = 0
        var headerBytes = [UInt8](repeating: 0, count: RecordBatchHeader.byteCount)
        while position < size {
            func stop(_ reason: String) -> Outcome {
                Outcome(
                    endPosition: position, nextOffset: expectedOffset, stop: Stop(position: position, reason: reason),
                    validatedBatches: validatedBatches)
            }
            guard size - position >= Int64(RecordBatchHeader.byteCount) else {
                return stop("\(size - position) bytes left, less than a batch header")
            }
            let got = try headerBytes.withUnsafeMutableBytes { try file.read(into: $0, at: position) }
            guard got == RecordBatchHeader.byteCount,
                let header = headerBytes.withUnsafeBytes({ RecordBatchHeader(readingFieldsOf: $0) })
            else {
                return stop("short read of a batch header")
            }
            if let defect = header.storageDefect(maxBatchBytes: maxBatchBytes) {
                return stop(defect.description)
            }
            guard Int64(header.totalByteCount) <= size - position else {
                return stop("batch of \(header.totalByteCount) bytes runs past the end of the file")
            }
            guard header.baseOffset == expectedOffset else {
                return stop("base offset \(header.baseOffset), expected \(expectedOffset)")
            }
            guard header.lastOffset - segmentBaseOffset <= Int64(Int32.max) else {
                return stop("offset \(header.lastOffset) beyond the segment's 32-bit range")
            }
            if header.lastOffset >= validateFromOffset {
                let batch = try file.read(at: position, count: header.totalByteCount)
                guard batch.count == header.totalByteCount, batch.withUnsafeBytes({ validator.isValid($0, header: header) }) else {
                    return stop("batch fails validation (checksum)")
                }
                validatedBatches += 1
            }
            body(header, position)
            position += Int64(header.totalByteCount)
            expectedOffset = header.lastOffset + 1
        }
        return Outcome(endPosition: position, nextOffset: expectedOffset, stop: nil, validatedBatches: validatedBatches)
    }
}
