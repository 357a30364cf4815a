import FileStorage
import KafkaProtocol

/// Bytes offered to `PartitionLog.append` without parsed headers, split into whole batches by
/// their headers (each read once), up to the first place where no whole batch follows.
///
/// Nothing but the framing is judged here (the log checks each header and the checksum); what
/// stopped the split is kept, together with the header of a batch that was cut short, whose
/// declared size the log still checks first (a batch too large is refused as such even when
/// it did not arrive whole).
struct BatchFraming {
    /// Why the bytes do not split into whole batches from `position` on.
    struct Stop: Sendable, Hashable {
        var defect: BatchDefect
        var position: Int
    }

    /// The whole batches from the start, in order.
    private(set) var headers: [RecordBatchHeader] = []
    /// The header of the batch the bytes end inside of, if any.
    private(set) var cutShort: RecordBatchHeader?
    /// `nil` when the bytes are whole batches exactly.
    private(set) var stop: Stop?

    init(_ bytes: UnsafeRawBufferPointer) {
        var position = 0
        while position < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[position...])
            guard let header = RecordBatchHeader(readingFieldsOf: rest) else {
                stop = Stop(defect: .shorterThanHeader(available: rest.count), position: position)
                return
            }
            guard header.batchLength >= RecordBatchHeader.minimumBatchLength else {
                stop = Stop(defect: .lengthBelowHeader(header.batchLength), position: position)
                return
            }
            guard header.totalByteCount <= rest.count else {
                cutShort = header
                stop = Stop(defect: .truncated(declared: header.totalByteCount, available: rest.count), position: position)
                return
            }
            headers.append(header)
            position += header.totalByteCount
        }
    }
}
