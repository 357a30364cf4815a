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
            let held = shipment.heldResends
            shipment.heldResends = []
            resend(held, of: shipment)
        }
        var transmissions: [Transmission] = []
        defer { outbound.push(transmissions) }
        while let nextPartition = shipment.nextSealedPartition {
            guard shipment.inFlightPerPartition[nextPartition, default: 0] < configuration.maxInFlightPerPartition
            else {
                break
            }
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
            shipment.inFlight[batch.id] = FileShipment.InFlightBatch(
                batch: batch,
                group: sealed.group,
                bytes: bytes,
                stampedProducer: identity,
                stampedSequence: batch.baseSequence,
                controlRecords: sealed.built.controlRecords,
                memoryBytes: sealed.memoryBytes
            )
            shipment.inFlightPerPartition[sealed.built.partition, default: 0] += 1
            shipment.producerPartitions.insert(sealed.built.partition)
            shipment.ledger.batchSequenced(
                id: batch.id,
                partition: sealed.built.partition,
                baseSequence: batch.baseSequence,
                recordCount: batch.recordCount,
                producer: identity,
                group: sealed.group
            )
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
                    hold(batches, in: shipment)
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
        guard let entry = shipment.inFlight.removeValue(forKey: batch.id) else { return nil }
        bufferedBytes -= entry.memoryBytes
        batchesInFlight -= 1
        shipment.inFlightPerPartition[batch.partition.partition, default: 1] -= 1
        shipment.heldResends.removeAll { $0.id == batch.id }
        return entry
    }

    /// Keeps the latest transmission of each batch until the file may send again.
    private func hold(_ batches: [IdempotentProducerState.Batch], in shipment: FileShipment) {
        let replaced = Set(batches.map(\.id))
        shipment.heldResends.removeAll { replaced.contains($0.id) }
        shipment.heldResends.append(contentsOf: batches)
    }

    /// A producer id arrived for the file: its first (sequences from 0), or a new one after a
    /// gap, a refusal or an unknown producer (everything unacknowledged renumbered from 0; what
    /// was acknowledged under the old id in groups not yet done becomes the checkpoint's
    /// `storedAhead`). Either way the checkpoint must name it before any batch goes out under it.
    func adopt(
        _ identity: ProducerIdentity, cluster: String?, for shipment: FileShipment, now: ContinuousClock.Instant
    ) {
        shipment.producerRequested = false
        shipment.producerCluster = cluster
        metrics.producerIds.increment()
        if shipment.producer == nil {
            shipment.producer = IdempotentProducerState(producer: identity)
        } else {
            let actions = shipment.producer?.adopt(identity) ?? []
            for case .resend(let batches) in actions {
                for batch in batches {
                    shipment.ledger.batchResequenced(
                        id: batch.id,
                        partition: batch.partition.partition,
                        baseSequence: batch.baseSequence,
                        producer: identity
                    )
                }
                hold(batches, in: shipment)
            }
        }
        _ = writeCheckpoint(shipment, now: now)
    }

    /// Asks the broker for a producer id for the file, retrying with backoff until it answers
    /// or the file is retired.
    func requestProducerId(for shipment: FileShipment) {
        guard !shipment.producerRequested else { return }
        shipment.producerRequested = true
        let client = self.client
        let inbox = self.inbox
        let logger = self.logger
        let file = shipment.file
        let initialBackoff = backoff
        producerTasks[file]?.cancel()
        producerTasks[file] = Task {
            var backoff = initialBackoff
            var random = SystemRandomNumberGenerator()
            while !Task.isCancelled {
                do throws(KafkaClientError) {
                    // The cluster first: a new id is often asked for because the broker lost
                    // its state (wiped, restored), and the checkpoint must say which cluster
                    // the id belongs to.
                    let metadata = try await client.metadata(topics: [], allowAutoTopicCreation: false)
                    let identity = try await client.initProducerId()
                    inbox.post(.producerId(file: file, identity, clusterId: metadata.namedClusterID))
                    return
                } catch {
                    if error == .shutDown || error == .cancelled { return }
                    logger.warning("InitProducerId failed", metadata: ["file": "\(file)", "error": "\(error)"])
                }
                try? await Task.sleep(for: backoff.nextDelay(using: &random))
            }
        }
    }
}
