import KafkaClient
import KafkaProtocol
import LogTailing
import NIOCore

/// Batches out, answers in: sealed batches (built by the encoders: LZ4, RecordBatch v2) are
/// sequenced by the file's `IdempotentProducerState`, stamped and queued for the sender; every
/// answer is fed back to that state, and its actions carried out — acknowledge (the group may
/// complete), resend with the same sequences, count a refusal or a gap as a loss, ask for a new
/// producer id.
extension ShipperPipeline {
    /// Sends the file's sealed batches in order while its producer may send and each
    /// partition has room in flight.
    func dispatch(_ shipment: FileShipment) {
        guard shipment.canSend, let identity = shipment.producer?.producer else { return }
        if !shipment.heldResends.isEmpty {
            resend(shipment.takeHeldResends(), of: shipment)
        }
        var transmissions: [Transmission] = []
        defer { outbound.push(transmissions) }
        while shipment.nextSendablePartition(maxInFlight: configuration.maxInFlightPerPartition) != nil {
            guard var sealed = shipment.popSealed() else { break }
            guard var bytes = sealed.built.bytes else {
                // Never for lines capped by max-line-bytes; counted rather than retried forever.
                metrics.countLoss(.rejected, lines: Int64(Int(sealed.built.recordCount) - sealed.built.controlRecords))
                logger.error("batch could not be built", metadata: ["file": "\(shipment.file)"])
                shipment.ledger.batchDone(group: sealed.group)
                continue
            }
            sealed.built.bytes = nil  // `bytes` is then the only reference: stamping it copies nothing
            let partition = TopicPartition(topic: topic, partition: sealed.built.partition)
            // Sequenced in place: the producer state is never copied on the hot path.
            guard let batch = shipment.producer?.nextBatch(for: partition, recordCount: sealed.built.recordCount) else {
                break  // unreachable: canSend checked the producer is not awaiting an id
            }
            BatchRestamp.restamp(
                &bytes,
                producerId: identity.producerID,
                producerEpoch: identity.epoch,
                baseSequence: batch.baseSequence
            )
            shipment.sent(sealed, as: batch, bytes: bytes, by: identity)
            batchesInFlight += 1
            transmissions.append(Transmission(file: shipment.file, batch: batch, bytes: bytes))
        }
        metrics.batchesSent.increment(by: transmissions.count)
    }

    /// Queues new transmissions of batches in flight, restamped when a new producer id
    /// renumbered them.
    func resend(_ batches: [IdempotentProducerState.Batch], of shipment: FileShipment) {
        guard let producer = shipment.producer?.producer else { return }
        var transmissions: [Transmission] = []
        for batch in batches {
            guard var entry = shipment.inFlight[batch.id] else { continue }
            if entry.stampedProducer != producer || entry.stampedSequence != batch.baseSequence {
                BatchRestamp.restamp(
                    &entry.bytes,
                    producerId: producer.producerID,
                    producerEpoch: producer.epoch,
                    baseSequence: batch.baseSequence
                )
                entry.stampedProducer = producer
                entry.stampedSequence = batch.baseSequence
            }
            entry.batch = batch
            shipment.inFlight[batch.id] = entry
            transmissions.append(Transmission(file: shipment.file, batch: batch, bytes: entry.bytes))
        }
        metrics.batchesResent.increment(by: transmissions.count)
        outbound.push(transmissions)
    }

    func apply(_ actions: [IdempotentProducerState.Action], to shipment: FileShipment) {
        for action in actions {
            switch action {
            case .acknowledged(let batch, _):
                guard let entry = finishInFlight(batch, of: shipment) else { continue }
                let lines = Int64(batch.recordCount) - Int64(entry.controlRecords)
                totalAcknowledged += lines
                metrics.recordsAcknowledged.increment(by: lines)
                if entry.controlRecords > 0 { metrics.controlRecordsAcknowledged.increment(by: entry.controlRecords) }
                shipment.ledger.batchDone(group: entry.group)
            case .resend(let batches):
                if shipment.canSend {
                    resend(batches, of: shipment)
                } else {
                    shipment.hold(batches)
                }
            case .rejected(let batch, let code):
                guard let entry = finishInFlight(batch, of: shipment) else { continue }
                let lines = Int64(batch.recordCount) - Int64(entry.controlRecords)
                metrics.countLoss(.rejected, lines: lines)
                shipment.unreportedLostLines += UInt64(max(0, lines))
                logger.error(
                    "broker refused a batch for good; its lines are lost",
                    metadata: [
                        "file": "\(shipment.file)", "partition": "\(batch.partition)", "code": "\(code)",
                        "records": "\(batch.recordCount)",
                    ]
                )
                shipment.ledger.batchDone(group: entry.group)
            case .sequenceGap(let partition, let sequence):
                metrics.countLoss(.sequenceGap)
                logger.error(
                    "the broker lost acknowledged records (sequence gap); taking a new producer id",
                    metadata: ["file": "\(shipment.file)", "partition": "\(partition)", "expected": "\(sequence)"]
                )
            case .requestNewProducerId:
                requestProducerId(for: shipment)
            }
        }
    }

    private func finishInFlight(
        _ batch: IdempotentProducerState.Batch,
        of shipment: FileShipment
    ) -> FileShipment.InFlightBatch? {
        guard let entry = shipment.land(batch) else { return nil }
        memory.release(entry.memoryBytes)
        batchesInFlight -= 1
        return entry
    }

    /// A producer id arrived for the file: its first (sequences from 0), or a new one after a
    /// gap, a refusal or an unknown producer (everything unacknowledged renumbered from 0; what
    /// was acknowledged under the old id in groups not yet done becomes the checkpoint's
    /// `storedAhead`). Either way the checkpoint must name it before any batch goes out under it.
    func adopt(
        _ identity: ProducerIdentity, cluster: String?, for shipment: FileShipment, now: ContinuousClock.Instant
    ) {
        metrics.producerIds.increment()
        shipment.adopt(identity, cluster: cluster)
        _ = writeCheckpoint(shipment, now: now)
    }

    /// Asks the broker for a producer id for the file, retrying with backoff until it answers
    /// or the file is retired.
    func requestProducerId(for shipment: FileShipment) {
        guard shipment.requestProducerId() else { return }
        let client = self.client
        let inbox = self.inbox
        let logger = self.logger
        let file = shipment.file
        var retry = self.retry
        producerTasks[file]?.cancel()
        producerTasks[file] = Task {
            _ = await retry.retry { () async -> RetryBackoff<C>.Attempt<Void> in
                do throws(KafkaClientError) {
                    // The cluster first: a new id is often asked for because the broker lost
                    // its state (wiped, restored), and the checkpoint must say which cluster
                    // the id belongs to.
                    let metadata = try await client.metadata(topics: [], allowAutoTopicCreation: false)
                    let identity = try await client.initProducerId()
                    inbox.post(.producerId(file: file, identity, clusterId: metadata.namedClusterID))
                    return .succeeded(())
                } catch {
                    if error == .shutDown || error == .cancelled { return .abandoned }
                    logger.warning("InitProducerId failed", metadata: ["file": "\(file)", "error": "\(error)"])
                    return .failed
                }
            }
        }
    }
}
