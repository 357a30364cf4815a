import KafkaClient
import Logging
import NIOCore

/// The one task that hands transmissions to the `KafkaClient`, in queue order, so all batches
/// go out on one connection in the order the pipeline decided. Transmissions queued together
/// for different partitions of one file share a Produce request (`OutboundQueue.takeCompanions`). Each answer (or transport
/// failure) goes back to the pipeline's inbox; deciding what to do about it is the pipeline's.
///
/// `enqueueProduce` returns once the request is queued on the connection, so several batches
/// are in flight while the sender already takes the next one. While the broker is unreachable
/// the client retries the connection with exponential backoff and jitter; a call that fails
/// anyway (the handshake, say) is reported as a transport failure and the sender backs off
/// before the next one, so a broker that cannot be spoken to is not hammered.
struct ProduceSender<C: Clock>: Sendable where C.Duration == Duration {
    let client: KafkaClient
    let topic: String
    let queue: OutboundQueue
    let inbox: ShipperInbox
    let logger: Logger
    var retry: RetryBackoff<C>

    /// Most batches (partitions) in one Produce request.
    static var batchesPerRequest: Int { 16 }

    func run() async {
        var retry = self.retry
        while let first = await queue.next() {
            let group = [first] + queue.takeCompanions(of: first, limit: Self.batchesPerRequest)
            do {
                let answers = try await client.enqueueProduce(
                    topic: topic,
                    batches: group.map { (partition: $0.batch.partition.partition, records: $0.bytes) },
                    acks: -1
                )
                retry.succeeded()
                let inbox = self.inbox
                let topic = self.topic
                answers.whenComplete { result in
                    for transmission in group {
                        let partition = transmission.batch.partition.partition
                        let answer: Result<ProduceResult, KafkaClientError>
                        switch result {
                        case .success(let byPartition):
                            answer = byPartition[partition].map { .success($0) }
                                ?? .failure(.missingPartition(api: .produce, topic: topic, partition: partition))
                        case .failure(let error):
                            answer = .failure((error as? KafkaClientError) ?? .connectionClosed(reason: "\(error)"))
                        }
                        inbox.post(.produced(file: transmission.file, batch: transmission.batch, result: answer))
                    }
                }
            } catch {
                for transmission in group {
                    inbox.post(.produced(file: transmission.file, batch: transmission.batch, result: .failure(error)))
                }
                if error == .shutDown || Task.isCancelled { continue }
                let delay = retry.failed()
                logger.warning("produce not sent, backing off", metadata: ["error": "\(error)", "backoff": "\(delay)"])
                await retry.wait(delay)
            }
        }
    }
}
