import KafkaProtocol
import NIOCore

/// Rewrites the producer fields of a built RecordBatch v2 in place, for the one case a batch is
/// sent again under other sequences: after a new producer id (`IdempotentProducerState.adopt`)
/// renumbered everything unacknowledged from 0. The records section (compressed) is untouched,
/// so no re-encoding is needed; the CRC-32C covers the header from byte 21 on and is recomputed.
///
/// Header offsets (RecordBatchHeader's table): `crc` at 17 (4 bytes), `producerId` at 43 (8),
/// `producerEpoch` at 51 (2), `baseSequence` at 53 (4), all big-endian.
enum BatchRestamp {
    static let crcOffset = 17
    static let producerIdOffset = 43
    static let producerEpochOffset = 51
    static let baseSequenceOffset = 53

    /// - Precondition: `batch` holds one whole batch (at least the 61-byte header) from its reader index.
    static func restamp(_ batch: inout ByteBuffer, producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        precondition(batch.readableBytes >= RecordBatchHeader.byteCount, "a batch has a 61-byte header")
        let start = batch.readerIndex
        batch.setInteger(producerId, at: start + producerIdOffset)
        batch.setInteger(producerEpoch, at: start + producerEpochOffset)
        batch.setInteger(baseSequence, at: start + baseSequenceOffset)
        let crc = batch.withUnsafeReadableBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.checksumStart...]))
        }
        batch.setInteger(crc, at: start + crcOffset)
    }
}
