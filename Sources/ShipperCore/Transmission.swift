import KafkaClient
import LogTailing
import NIOCore

/// One send of one built batch: which file's producer it belongs to, its sequencing (the
/// producer state's `Batch`, whose `attempt` tells transmissions apart) and the wire bytes.
struct Transmission: Sendable {
    var file: TailedFileID
    var batch: IdempotentProducerState.Batch
    var bytes: ByteBuffer
}
