import KafkaClient
import Logging
import NIOCore

/// The one task that hands transmissions to the `KafkaClient`, in queue order, so all batches
/// go out on one connection in the order the pipeline decided. Each answer (or transport
/// failure) goes back to the pipeline's inbox; deciding what to do about it is the pipeline's.
///
/// `enqueueProduce` returns once the request is queued on the connection, so several batches
/// are in flight while the sender already takes the next one. While the broker is unreachable
/// the client retries the connection with exponential backoff and jitter; a call that fails
/// anyway (the handshake, say) is reported as a transport failure and the sender backs off
/// before the next one, so a broker that cannot be spoken to is not hammered.
struct ProduceSender: Sendable {
    let client: KafkaClient
    let topic: String
    let queue: OutboundQueue
    let inbox: ShipperInbox
    let logger: Logger
    var backoff: ReconnectBackoff

    func run() async {
        var backoff = self.backoff
        var random = SystemRandomNumberGenerator()
        while let transmission = await queue.next() {
            do {
                let answer = try await client.enqueueProduce(
                    topic: topic,
                    partition: transmission.batch.partition.partition,
                    batch: transmission.bytes,
                    acks: -1
                )
                backoff.reset()
                let inbox = self.inbox
                answer.whenComplete { result in
                    let mapped = result.mapError { error in
                        (error as? KafkaClientError) ?? .connectionClosed(reason: "\(error)")
                    }
                    inbox.post(.produced(file: transmission.file, batch: transmission.batch, result: mapped))
                }
            } catch {
                inbox.post(.produced(file: transmission.file, batch: transmission.batch, result: .failure(error)))
                if error == .shutDown || Task.isCancelled { continue }
                let delay = backoff.nextDelay(using: &random)
                logger.warning("produce not sent, backing off", metadata: ["error": "\(error)", "backoff": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }
}
