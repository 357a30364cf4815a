import KafkaClient
import KafkaProtocol
import LogTailing
import NIOCore

/// What reaches the pipeline's loop from the tasks around it. The loop owns all shipping state;
/// these are the only ways other tasks tell it something.
enum ShipperEvent: Sendable {
    /// The topic's partition count and the broker's cluster id from Metadata (the loop reads
    /// nothing before it knows them).
    case topicReady(partitions: Int32, clusterId: String?)
    /// The broker's answer to one transmission of one batch of `file`, or why none came.
    case produced(
        file: TailedFileID,
        batch: IdempotentProducerState.Batch,
        result: Result<ProduceResult, KafkaClientError>
    )
    /// A unit of lines the encoders are done with (parsed, encoded, batched, compressed).
    case encoded(EncodedUnit)
    /// A producer id for `file` (its first, or a new one after a gap or a refusal), and the id
    /// of the broker cluster that gave it (`nil` when the broker does not say).
    case producerId(file: TailedFileID, ProducerIdentity, clusterId: String?)
    /// Graceful shutdown was asked for (SIGTERM): stop reading, send what is open, drain, checkpoint.
    case stop
}
