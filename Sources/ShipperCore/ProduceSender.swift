import KafkaClient
import Logging
import NIOCore

/// Hands transmissions to the `KafkaClient` in queue order, one lane per broker: a broker that
/// is down (its lane waits inside the client for it to come back) holds up only the partitions
/// it leads, while the others keep flowing. Transmissions queued together for different
/// partitions of one file share a Produce request when one broker leads them
/// (`OutboundQueue.takeCompanions`). Each answer (or transport failure) goes back to the
/// pipeline's inbox; deciding what to do about it is the pipeline's.
///
/// Order: a partition is in one lane at a time, and a lane sends in queue order, so a
/// partition's batches reach its broker in the order the pipeline decided. `enqueueProduce`
/// returns once the request is queued on the connection, so several batches are in flight while
/// a lane already takes the next one. A call that fails anyway (the handshake, a leader that
/// moved) is reported as a transport failure, and that lane backs off before its next one, so a
/// broker that cannot be spoken to is not hammered.
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
        await withTaskGroup(of: Void.self) { lanes in
            var queued: [BrokerRoute: OutboundQueue] = [:]
            while let first = await queue.next() {
                let group = [first] + queue.takeCompanions(of: first, limit: Self.batchesPerRequest)
                let routes = await client.routes(topic: topic, partitions: group.map { $0.batch.partition.partition })
                var byRoute: [(route: BrokerRoute, transmissions: [Transmission])] = []
                for transmission in group {
                    let route = routes[transmission.batch.partition.partition] ?? .bootstrap
                    if let index = byRoute.firstIndex(where: { $0.route == route }) {
                        byRoute[index].transmissions.append(transmission)
                    } else {
                        byRoute.append((route, [transmission]))
                    }
                }
                for (route, transmissions) in byRoute {
                    if let lane = queued[route] {
                        lane.push(transmissions)
                    } else {
                        let lane = OutboundQueue()
                        queued[route] = lane
                        lane.push(transmissions)
                        lanes.addTask { await self.send(lane, route: route) }
                    }
                }
            }
            for lane in queued.values { lane.close() }
        }
    }

    /// One broker's lane: its requests, one after another. What queued up behind a request
    /// while it was handed over goes out together in the next (`takeCompanions`), as with one
    /// broker; a resend queued while the older copy still waits replaces it (`OutboundQueue`).
    private func send(_ lane: OutboundQueue, route: BrokerRoute) async {
        var retry = self.retry
        while let first = await lane.next() {
            let group = [first] + lane.takeCompanions(of: first, limit: Self.batchesPerRequest)
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
                logger.warning(
                    "produce not sent, backing off",
                    metadata: ["broker": "\(route)", "error": "\(error)", "backoff": "\(delay)"])
                await retry.wait(delay)
            }
        }
    }
}
