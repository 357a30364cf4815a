import LogTailing

/// Checkpoints (DESIGN.md §10.3): per file, the end of its acknowledged prefix with the
/// producer id and the sequences that belong there, written atomically by `CheckpointStore`.
/// A write that fails (a full disk) changes nothing: the previous checkpoint stays, the failure
/// is counted and logged, and the write is tried again at the next interval. Sending waits for
/// a checkpoint only when a new producer id must be recorded first.
extension ShipperPipeline {
    /// Writes the checkpoints whose prefix or producer changed, at most once per
    /// `checkpointInterval` per file.
    func writeDueCheckpoints(now: ContinuousClock.Instant) {
        for shipment in shipments.values where shipment.producer != nil && !shipment.isSuperseded {
            if let last = shipment.lastCheckpointWrite, last.duration(to: now) < configuration.checkpointInterval {
                continue
            }
            _ = writeCheckpointIfChanged(shipment, now: now)
        }
    }

    /// Writes the file's checkpoint when it would differ from the last one written.
    func writeCheckpointIfChanged(_ shipment: FileShipment, now: ContinuousClock.Instant) -> Bool {
        guard !shipment.isSuperseded else { return false }
        guard shipment.checkpointIsStale else { return true }
        return writeCheckpoint(shipment, now: now)
    }

    /// Writes the file's checkpoint now; returns whether it is on disk.
    @discardableResult
    func writeCheckpoint(_ shipment: FileShipment, now: ContinuousClock.Instant) -> Bool {
        guard !shipment.isSuperseded else { return false }
        if let tailer, let identity = tailer.identity(of: shipment.file) { shipment.identity = identity }
        let checkpoint = shipment.checkpoint(startCluster: clusterId)
        shipment.lastCheckpointWrite = now
        do {
            try store.write(checkpoint)
        } catch {
            metrics.checkpointFailures.increment()
            logger.warning(
                "checkpoint not written; the previous one stays and the write is retried",
                metadata: ["file": "\(shipment.file)", "path": "\(shipment.path)", "error": "\(error)"]
            )
            return false
        }
        metrics.checkpointsWritten.increment()
        shipment.checkpointWritten(checkpoint)
        return true
    }

    /// First start only: every file started without a checkpoint gets one at its start offset
    /// (so a crash cannot move a `--start-at end` file back to 0), then the store is marked
    /// initialized. Retried every turn until it succeeds.
    func writeInitialCheckpoints() {
        let now = clock.now
        for file in initialCheckpointsPending {
            guard let shipment = shipments[file], shipment.writtenOffset == nil else {
                initialCheckpointsPending.remove(file)
                continue
            }
            if writeCheckpoint(shipment, now: now) { initialCheckpointsPending.remove(file) }
        }
        guard initialCheckpointsPending.isEmpty else { return }
        do {
            try store.markInitialized()
            isInitialized = true
        } catch {
            metrics.checkpointFailures.increment()
            logger.warning("checkpoint directory not marked initialized; retrying", metadata: ["error": "\(error)"])
        }
    }
}
