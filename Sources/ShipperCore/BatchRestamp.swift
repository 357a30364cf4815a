import KafkaProtocol
import NIOCore

/// Rewrites the producer fields of a built RecordBatch v2 in place, for the one case a batch is
/// sent again under other sequences: after a new producer id (`IdempotentProducerState.adopt`)
/// renumbered everything unacknowledged from 0. The records section (compressed) is untouched,
/// so no re-encoding is needed; the CRC-32C is recomputed. Where the fields lie is
/// `RecordBatchHeader`'s business (``RecordBatchHeader/rewriteProducer(in:producerID:producerEpoch:baseSequence:)``).
enum BatchRestamp {
    /// - Precondition: `batch` holds one whole batch (at least its header) from its reader index.
    static func restamp(_ batch: inout ByteBuffer, producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        RecordBatchHeader.rewriteProducer(
            in: &batch, producerID: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence)
    }
}
