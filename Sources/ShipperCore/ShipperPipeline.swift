import FileStorage
import AccessRecord
import KafkaClient
import KafkaProtocol
import LogTailing
import Logging
import NIOCore
import NginxLog
import RequestEncoding

/// The shipper's loop: tail → units of lines → parse, encode, batch per (file, partition) and
/// compress on the `EncodingPool`'s workers → produce idempotently → checkpoint the
/// acknowledged prefix of every file. One task owns the loop and every piece of shipping state;
/// other tasks reach it only through the `ShipperInbox` (encoded units, answers, producer ids,
/// stop) and it reaches them only through the pool, the `OutboundQueue` (what to send) and
/// short-lived tasks asking for producer ids and metadata.
///
/// Each turn of the loop: take the inbox's events; poll the tailer (when due); read lines
/// while the buffered bytes are under `memoryLimit`; submit lingered units; sequence and send
/// sealed batches; write due checkpoints; retire finished files. When caught up (or stopped
/// by the memory limit) it sleeps until an event or the next deadline.
///
/// Memory stays bounded: reading stops while pending and encoding units and waiting and
/// in-flight batches hold `memoryLimit` bytes or more, and the log files themselves are the
/// backlog (DESIGN.md §3).
///
/// Every deadline (linger, polls, checkpoint intervals, drain-idle, the stop's drain timeout,
/// retry delays) runs on `clock`: `ContinuousClock` in the process, a manual clock in tests.
final class ShipperPipeline<C: Clock> where C.Instant == ContinuousClock.Instant {
    let configuration: ShipperConfiguration
    let metrics: ShipperMetrics
    let logger: Logger
    let client: KafkaClient
    let inbox: ShipperInbox
    let outbound = OutboundQueue()
    let store: CheckpointStore
    let clock: C
    let progress: (@Sendable (ProgressSnapshot) -> Void)?

    /// Bytes one `nextLines` call may read before the loop looks at its inbox again.
    static var readChunkBytes: Int { 1 << 20 }
    /// Unit byte storages kept for reuse (each keeps its capacity).
    static var unitStoragePoolSize: Int { 8 }

    var partitionCount: Int32 = 0
    /// The broker cluster's id (Metadata) at start, which checkpoints are checked against;
    /// `nil` when the broker does not say (then checkpointed producer ids are trusted as before).
    var clusterId: String?
    var tailer: Tailer<C>?
    /// The configuration's sources, each compiled once; the tailer's `sourceIndex` names one.
    let sources: [CompiledSource]
    let pool: EncodingPool
    var shipments: [TailedFileID: FileShipment] = [:]
    var unitStorage: [[UInt8]] = []
    /// What each encoding worker keeps between units, as last reported (reserved in `memory`).
    var workerRetainedBytes: [Int] = []

    /// Memory of pending units, of units being encoded (with an estimate of what encoding
    /// them takes), of built batches (waiting or in flight), of unit storage kept for reuse and
    /// of what the encoding workers keep between units, against `memoryLimit`.
    var memory: MemoryBudget
    var batchesInFlight = 0
    /// Units handed to the pool and not yet taken back, over all files.
    var unitsInWork = 0
    var isPaused = false
    var isStopping = false
    var stopDeadline: ContinuousClock.Instant?

    /// `false` until the first start's files have checkpoints and the marker is written.
    var isInitialized = true
    var initialCheckpointsPending: Set<TailedFileID> = []
    var producerTasks: [TailedFileID: Task<Void, Never>] = [:]
    var backgroundTasks: [Task<Void, Never>] = []

    var totalLines: Int64 = 0
    var totalBytes: Int64 = 0
    var totalAcknowledged: Int64 = 0
    var lagBytes: Int64 = 0
    var lastLagUpdate: ContinuousClock.Instant?
    var lastProgress: ContinuousClock.Instant?
    /// Milliseconds since the epoch for records without a time of their own (unparsed lines).
    var wallClockMs: Int64 = 0

    init(
        configuration: ShipperConfiguration,
        client: KafkaClient,
        inbox: ShipperInbox,
        metrics: ShipperMetrics,
        logger: Logger,
        progress: (@Sendable (ProgressSnapshot) -> Void)?,
        checkpointFileSystem: any FileSystem = PosixFileSystem.ownerOnly,
        clock: C
    ) throws {
        self.clock = clock
        self.configuration = configuration
        self.client = client
        self.inbox = inbox
        self.metrics = metrics
        self.logger = logger
        self.progress = progress
        self.store = CheckpointStore(directory: configuration.checkpointDirectory, fileSystem: checkpointFileSystem)
        self.pool = EncodingPool(inbox: inbox, workerCount: configuration.encoderTasks)
        self.memory = MemoryBudget(limit: configuration.memoryLimit)
        var sources: [CompiledSource] = []
        for source in configuration.sources {
            sources.append(try CompiledSource(source))
        }
        self.sources = sources
    }

    var topic: String { configuration.topic }
    /// Waits between retries of calls that need the broker, capped by `reconnect-backoff-max`.
    var retry: RetryBackoff<C> {
        RetryBackoff(ReconnectBackoff(maximum: configuration.reconnectBackoffMax), clock: clock)
    }
    var groupBytes: Int64 { Int64(configuration.batchBytes) }

    // MARK: - The loop

    /// Runs until a `.stop` event has been drained (or the drain timed out) or the task is
    /// cancelled; then writes the final checkpoints and closes the connection.
    func run() async throws {
        let contents = try store.load()
        guard await awaitPartitionCount() else {
            await finish()
            return
        }
        startTasks(contents)
        while !Task.isCancelled {
            let now = clock.now
            guard let mayWait = turn(now: now) else { break }
            if mayWait {
                await inbox.wait(timeout: nextWakeup(now: now), clock: clock)
            }
        }
        if isStopping, !isDrained {
            logger.warning(
                "stopped before every batch was acknowledged; they are sent again after a restart",
                metadata: ["batchesInFlight": "\(batchesInFlight)"]
            )
        }
        await finish()
    }

    /// The tailer (from the loaded checkpoints), the sender and the encoding workers.
    private func startTasks(_ contents: CheckpointStore.Contents) {
        tailer = Tailer(
            sources: sources.map(\.source),
            configuration: configuration.tailer,
            checkpoints: contents.checkpoints,
            isFirstStart: contents.isFirstStart,
            clock: clock,
            logger: logger
        )
        isInitialized = !contents.isFirstStart
        let sender = ProduceSender(
            client: client,
            topic: topic,
            queue: outbound,
            inbox: inbox,
            logger: logger,
            retry: retry
        )
        backgroundTasks.append(Task { await sender.run() })
        // A quarter of the memory limit, shared by the workers, for what they keep between units.
        let retainBudget = configuration.memoryLimit / (4 * pool.workerCount)
        workerRetainedBytes = Array(repeating: 0, count: pool.workerCount)
        backgroundTasks.append(
            contentsOf: pool.start(
                encoders: sources.map(\.encoder),
                batchBytes: configuration.batchBytes,
                retainBudget: retainBudget,
                lz4Acceleration: configuration.lz4Acceleration,
                valueEncoding: configuration.recordEncoding
            )
        )
        logger.info(
            "shipping",
            metadata: [
                "topic": "\(topic)", "partitions": "\(partitionCount)", "files": "\(configuration.sources.count)",
                "checkpoints": "\(contents.checkpoints.count)", "firstStart": "\(contents.isFirstStart)",
                "encoders": "\(pool.workerCount)",
            ]
        )
    }

    /// One turn of the loop (see the type's comment).
    /// - Returns: whether the loop may sleep until an event or the next deadline (caught up,
    ///   paused by the memory limit, or stopping); `nil` once a stop has drained or timed out.
    private func turn(now: ContinuousClock.Instant) -> Bool? {
        wallClockMs = UnixTime.milliseconds()
        for event in inbox.drain() { handle(event, now: now) }
        if isStopping, isDrained || (stopDeadline.map { now >= $0 } ?? true) { return nil }
        pollTailer()
        if !isInitialized { writeInitialCheckpoints() }
        var caughtUp = true
        if !isStopping {
            caughtUp = readLines(now: now)
        }
        submitLingered(now: now)
        if !isStopping { cutIdleFiles(now: now) }
        for shipment in shipments.values { dispatch(shipment) }
        writeDueCheckpoints(now: now)
        retireSettledFiles()
        updateGauges(now: now)
        return caughtUp || isPaused || isStopping
    }

    /// Every line read is encoded, sent and acknowledged.
    var isDrained: Bool {
        shipments.values.allSatisfy(\.isDrained)
    }

    /// Asks the broker for the topic's partitions until it answers; `false` when stopped first.
    private func awaitPartitionCount() async -> Bool {
        let client = self.client
        let topic = self.topic
        let inbox = self.inbox
        let logger = self.logger
        var retry = self.retry
        let wanted = Int32(clamping: configuration.partitions)
        let task = Task {
            _ = await retry.retry { () async -> RetryBackoff<C>.Attempt<Void> in
                do throws(KafkaClientError) {
                    if wanted > 0 { try await TopicCreation.ensure(topic, partitions: wanted, client: client, logger: logger) }
                    let metadata = try await client.metadata(topics: [topic])
                    if let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == .none,
                        !entry.partitions.isEmpty
                    {
                        inbox.post(
                            .topicReady(
                                partitions: Int32(entry.partitions.count), clusterId: metadata.namedClusterID))
                        return .succeeded(())
                    }
                    logger.debug("topic not ready yet", metadata: ["topic": "\(topic)"])
                } catch {
                    if error == .shutDown || error == .cancelled { return .abandoned }
                    logger.warning("cannot read topic metadata", metadata: ["error": "\(error)"])
                }
                return .failed
            }
        }
        defer { task.cancel() }
        while !Task.isCancelled {
            for event in inbox.drain() {
                switch event {
                case .topicReady(let count, let cluster):
                    partitionCount = count
                    clusterId = cluster
                    return true
                case .stop:
                    return false
                case .produced, .producerId, .encoded:
                    break
                }
            }
            await inbox.wait(timeout: .seconds(1), clock: clock)
        }
        return false
    }

    /// Final checkpoints, then everything around the loop is stopped.
    private func finish() async {
        let now = clock.now
        for shipment in shipments.values where shipment.producer != nil {
            _ = writeCheckpointIfChanged(shipment, now: now)
        }
        outbound.close()
        pool.close()
        for task in backgroundTasks { task.cancel() }
        for task in producerTasks.values { task.cancel() }
        await client.shutdown()
        updateGauges(now: now, force: true)
    }

    /// How long the loop may sleep: until the earliest linger deadline, the next poll, or the
    /// next checkpoint, whichever comes first (at least 1 ms).
    private func nextWakeup(now: ContinuousClock.Instant) -> Duration {
        var wait = min(configuration.tailer.pollInterval, configuration.checkpointInterval)
        for shipment in shipments.values {
            if let since = shipment.pendingSince {
                wait = min(wait, now.duration(to: since + configuration.linger))
            }
            if !isStopping, shipment.readOffset > shipment.cutOffset, let last = shipment.lastLineAt {
                wait = min(wait, now.duration(to: last + configuration.tailer.drainIdle))
            }
        }
        if isStopping, let stopDeadline { wait = min(wait, now.duration(to: stopDeadline)) }
        return max(wait, .milliseconds(1))
    }

    // MARK: - Events

    func handle(_ event: ShipperEvent, now: ContinuousClock.Instant) {
        switch event {
        case .topicReady:
            break  // fixed once the loop runs (DESIGN.md §3)
        case .produced(let file, let batch, let result):
            guard let shipment = shipments[file], shipment.producer != nil else { return }
            let actions: [IdempotentProducerState.Action]
            switch result {
            case .success(let answer):
                if answer.errorCode == .unknownProducerId { metrics.unknownProducer.increment() }
                actions = shipment.producer?.handle(answer, for: batch) ?? []
            case .failure(let error):
                if batch.attempt == shipment.inFlight[batch.id]?.batch.attempt {
                    logger.debug("batch not answered", metadata: ["file": "\(file)", "error": "\(error)"])
                }
                actions = shipment.producer?.transportFailed(batch) ?? []
            }
            apply(actions, to: shipment)
        case .encoded(let unit):
            take(unit)
        case .producerId(let file, let identity, let cluster):
            guard let shipment = shipments[file] else { return }
            adopt(identity, cluster: cluster, for: shipment, now: now)
        case .stop:
            guard !isStopping else { return }
            isStopping = true
            stopDeadline = now + configuration.drainTimeout
            // Every file's checkpoint is to cover every line read once acknowledged: nothing is
            // sent twice after the restart, however long the broker keeps producer state.
            for shipment in shipments.values { cutCheckpointGroup(of: shipment, now: now) }
            for shipment in shipments.values { submitPendingUnit(of: shipment) }
            logger.info(
                "stopping: sending what is open, then checkpointing",
                metadata: ["batches": "\(batchesInFlight)"]
            )
        }
    }

    private func pollTailer() {
        guard let tailer else { return }
        let events: [TailEvent]
        do {
            events = try tailer.pollIfDue()
        } catch {
            logger.warning("polling the log files failed", metadata: ["error": "\(error)"])
            return
        }
        for event in events { handle(event) }
    }

    func handle(_ event: TailEvent) {
        switch event {
        case .started(let file, let path, let sourceIndex, let identity, let offset, let resumedFrom):
            startShipment(
                file,
                path: path,
                sourceIndex: sourceIndex,
                identity: identity,
                offset: offset,
                resumedFrom: resumedFrom
            )
        case .finished(let file, let reason, let lostBytes):
            if lostBytes > 0 { metrics.countLoss(LossCause(reason), bytes: lostBytes) }
            guard let shipment = shipments[file] else { return }
            shipment.finish(reason, lostBytes: lostBytes)
            closeGroup(of: shipment, final: true, now: clock.now)
        case .checkpointObsolete(let checkpoint, let reason):
            metrics.countLoss(.checkpointObsolete)
            logger.warning(
                "checkpoint matches no file any more; its unread rest, if any, is lost",
                metadata: ["path": "\(checkpoint.path)", "offset": "\(checkpoint.offset)", "reason": "\(reason)"]
            )
            let taken = shipments.values.contains {
                !$0.isSuperseded && $0.identity.hasSameInode(as: checkpoint.identity)
            }
            guard !taken else { return }  // the live file's own checkpoint replaces it
            do {
                try store.remove(checkpoint.identity)
            } catch {
                logger.warning("cannot remove an obsolete checkpoint", metadata: ["error": "\(error)"])
            }
        case .checkpointMissing(let checkpoint):
            // Kept on disk with the time its file went missing, so that a restart does not
            // restart its expiry (TailerConfiguration.missingFileExpiry).
            let taken = shipments.values.contains {
                !$0.isSuperseded && $0.identity.hasSameInode(as: checkpoint.identity)
            }
            guard !taken else { return }
            do {
                try store.write(checkpoint)
            } catch {
                metrics.checkpointFailures.increment()
                logger.warning(
                    "cannot record since when a checkpoint's file is missing; a restart restarts its expiry",
                    metadata: ["path": "\(checkpoint.path)", "error": "\(error)"]
                )
            }
        }
    }

    private func startShipment(
        _ file: TailedFileID,
        path: String,
        sourceIndex: Int,
        identity: FileIdentity,
        offset: Int64,
        resumedFrom: Checkpoint?
    ) {
        for other in shipments.values where other.identity.hasSameInode(as: identity) {
            other.supersede()
        }
        let source = sources.indices.contains(sourceIndex) ? sources[sourceIndex].source : nil
        // A checkpoint resumed at its own offset carries the audit group open there.
        let resumed = resumedFrom.flatMap { $0.offset == offset ? $0 : nil }
        // A copy continuing another file's checkpoint keeps that file's control-record key: the
        // records after the checkpoint must get the sequences they had (DESIGN.md §10.3).
        let controlRecordKey = resumedFrom.flatMap { checkpoint in
            checkpoint.controlRecordKey
                ?? (checkpoint.identity.hasSameInode(as: identity)
                    ? nil : FileShipment.controlRecordKey(of: checkpoint.identity))
        }
        let shipment = FileShipment(
            file: file,
            sourceIndex: sourceIndex,
            path: path,
            sourcePattern: source?.pattern ?? path,
            identity: identity,
            origin: LineOrigin(edge: configuration.edgeName, sourceFile: path),
            offset: offset,
            auditGroup: resumed?.auditGroup,
            groupBytes: groupBytes,
            controlRecordKey: controlRecordKey
        )
        shipment.topic = topic
        shipment.statsPartition = shipment.statsKey.withUnsafeBytes {
            Partitioner.partition(forKey: $0, partitionCount: partitionCount)
        }
        shipments[file] = shipment
        if let checkpoint = resumed, checkpoint.producerId >= 0, !voidsCheckpointOfAnotherCluster(checkpoint) {
            shipment.restoreProducer(from: checkpoint)
        } else {
            requestProducerId(for: shipment)
            if !isInitialized { initialCheckpointsPending.insert(file) }
        }
        writeStartCheckpoint(of: shipment, resumedFrom: resumedFrom, offset: offset)
        logger.info(
            "shipping file",
            metadata: [
                "file": "\(file)", "path": "\(path)", "offset": "\(offset)",
                "producerId": "\(resumedFrom.map { "\($0.producerId)" } ?? "new")",
            ]
        )
    }

    /// What a file's checkpoint needs when it starts: a copy's takes over the original's, a
    /// found missing file's is written again, the rest of a copytruncate's is written now.
    private func writeStartCheckpoint(of shipment: FileShipment, resumedFrom: Checkpoint?, offset: Int64) {
        let identity = shipment.identity
        if let checkpoint = resumedFrom, !checkpoint.identity.hasSameInode(as: identity) {
            takeOverCheckpoint(checkpoint, by: shipment)
        } else if resumedFrom?.missingSince != nil {
            shipment.forgetWrittenCheckpoint()  // written again, without `missingSince`, at the next turn
        } else if resumedFrom == nil, offset > 0, isInitialized {
            // The rest of a copy (copytruncate): what comes before `offset` was read from the
            // original and must not be read from the copy after a crash.
            writeCheckpoint(shipment, now: clock.now)
        }
    }

    /// Voids (counts and warns) when the checkpoint's producer state belongs to another broker
    /// cluster (the data directory was wiped or restored, or another broker answers at the
    /// address). Its producer id and sequences mean nothing there: they could even match another
    /// file's producer and have new lines dropped as duplicates. So the lines after the
    /// checkpoint are shipped once to this cluster under a new producer id (DESIGN.md §10.3).
    /// - Returns: whether the checkpoint's producer state is void.
    private func voidsCheckpointOfAnotherCluster(_ checkpoint: Checkpoint) -> Bool {
        guard let stored = checkpoint.clusterId, let clusterId, stored != clusterId else { return false }
        metrics.checkpointsVoided.increment()
        logger.warning(
            "checkpoint was written against another broker cluster; its producer state is void and the file is shipped again from the checkpoint",
            metadata: [
                "path": "\(checkpoint.path)", "offset": "\(checkpoint.offset)", "checkpoint-cluster": "\(stored)",
                "broker-cluster": "\(clusterId)",
            ]
        )
        return true
    }

    /// A copy of a file truncated while the shipper was down continues the original's
    /// checkpoint (same producer and sequences, same offsets). Its own checkpoint is written
    /// first; only then is the original's replaced: by the checkpoint of the original's new
    /// content when that is shipped already (at its start, as nothing of it is acknowledged
    /// yet), else removed. If the write fails, the original's checkpoint stays and a restart
    /// finds the copy by it again.
    private func takeOverCheckpoint(_ original: Checkpoint, by shipment: FileShipment) {
        shipment.forgetWrittenCheckpoint()
        guard writeCheckpoint(shipment, now: clock.now) else { return }
        if let holder = shipments.values.first(where: {
            $0 !== shipment && !$0.isSuperseded && $0.identity.hasSameInode(as: original.identity)
        }) {
            if holder.writtenOffset == nil { writeCheckpoint(holder, now: clock.now) }
            return
        }
        do {
            try store.remove(original.identity)
        } catch {
            logger.warning(
                "cannot remove the checkpoint a copy took over",
                metadata: ["path": "\(original.path)", "error": "\(error)"]
            )
        }
    }

    // MARK: - Housekeeping

    /// Files the tailer finished whose batches are all acknowledged: their checkpoint is
    /// removed (unless a newer generation of the inode owns it) and their state dropped.
    private func retireSettledFiles() {
        for shipment in shipments.values where shipment.isRetirable {
            if !shipment.isSuperseded {
                let identity = shipment.identity
                let shared = shipments.values.contains {
                    $0 !== shipment && !$0.isSuperseded && $0.identity.hasSameInode(as: identity)
                }
                if !shared {
                    do {
                        try store.remove(identity)
                    } catch {
                        metrics.checkpointFailures.increment()
                        logger.warning(
                            "cannot remove the checkpoint of a finished file",
                            metadata: ["error": "\(error)"]
                        )
                        continue
                    }
                }
            }
            shipment.retire()
            shipments[shipment.file] = nil
            producerTasks.removeValue(forKey: shipment.file)?.cancel()
            logger.info("file shipped completely", metadata: ["file": "\(shipment.file)", "path": "\(shipment.path)"])
        }
    }

    func updateGauges(now: ContinuousClock.Instant, force: Bool = false) {
        metrics.bufferedBytes.record(memory.reserved)
        metrics.batchesInFlight.record(batchesInFlight)
        metrics.readingPaused.record(isPaused ? 1 : 0)
        metrics.files.record(shipments.count)
        metrics.missingCheckpoints.record(tailer?.missingCheckpointCount ?? 0)
        if force || lastLagUpdate.map({ $0.duration(to: now) >= .seconds(1) }) ?? true {
            lastLagUpdate = now
            var lag: Int64 = 0
            for shipment in shipments.values where shipment.end == nil {
                if let status = try? FileStatus.of(path: shipment.path), status.device == shipment.identity.device,
                    status.inode == shipment.identity.inode
                {
                    shipment.lastKnownSize = status.size
                }
                lag += max(0, shipment.lastKnownSize - shipment.readOffset)
            }
            lagBytes = lag
            metrics.lagBytes.record(lag)
        }
        if let progress, force || lastProgress.map({ $0.duration(to: now) >= .seconds(1) }) ?? true {
            lastProgress = now
            progress(
                ProgressSnapshot(
                    time: now,
                    lines: totalLines,
                    bytes: totalBytes,
                    acknowledged: totalAcknowledged,
                    lagBytes: lagBytes,
                    batchesInFlight: batchesInFlight,
                    isPaused: isPaused
                )
            )
        }
    }
}

@available(*, unavailable)
extension ShipperPipeline: Sendable {}
