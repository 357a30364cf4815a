import Synchronization
import EdgelogSchema
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import Metrics
import TrafficAggregation

/// The consumer's one loop: fetch every partition, feed the aggregators, and every
/// `flush-interval` hand each idle shard writer the deltas cut for it. Owned by one task; the
/// writers run beside it and report through a mailbox.
///
/// Invariants that make the contract of DESIGN §10.5–6 hold:
/// - `shardProgress[s][p]` is what shard `s`'s progress row for partition `p` holds (absent: no
///   row). It changes only when a writer reports a commit, so it is always the right expected
///   value for the next compare-and-set (as a group member, also when a partition is claimed
///   or released at a rebalance, with no flush of it in flight: `ConsumerLoop+Group.swift`).
/// - At most one flush per shard is in flight; while a shard is busy (slow, or down and being
///   retried), its deltas keep accumulating in the aggregators and go out with the next cut.
/// - No fetched record is fed unless the broker that sent it reported, on that connection, the
///   cluster id the shards' progress was written against (``FetchResult/clusterID``).
final class ConsumerLoop {
    let configuration: ConsumerConfiguration
    let client: KafkaClient
    let writers: [ShardWriter]
    let metrics: ConsumerMetrics
    let logger: Logger
    let clusterID: String
    /// This process's claim on its partitions (host, pid, random): a newer consumer's claim fences it.
    let consumerID: String
    let mailbox = WriterMailbox()
    let stopSignal: StopSignal

    var aggregators: [Int32: PartitionAggregator]
    /// The per-minute site cap shared by the aggregators; `nil` = no cap.
    let admission: SiteAdmission?
    let latenessMicros: Int64
    var lagGauges: [Int32: Gauge]
    var shardProgress: [[Int32: Int64]]
    private var busy: [Bool]
    private var inFlightRows: [Int]
    var writerTasks: [Task<Void, Never>?]
    /// Decode the next chunks of fetched batches while the loop aggregates the current one,
    /// chunk `i` on `decoders[i % count]`. Each is used by one decoding task at a time: its
    /// next chunk is started only after its previous one's result was awaited.
    private let decoders: [ChunkDecoder]
    /// Partitions whose last fetch failed (said once when they start failing, and once when
    /// they recover).
    private var failing = Set<Int32>()
    private var fenced: [Int32] = []
    var lastGroupCommit: [Int32: Int64] = [:]
    private var groupCommit: GroupCommitTask?
    private var flushRounds = 0
    /// Partitions whose last answer showed records beyond what it carried.
    var backlog = Set<Int32>()
    static let heartbeatFlushes = 10
    /// This consumer's membership of `configuration.group` when it takes its partitions from
    /// the group's assignment (`ConsumerLoop+Group.swift`); `nil` for static partitions.
    var membership: GroupMembership?

    private init(
        configuration: ConsumerConfiguration,
        client: KafkaClient,
        writers: [ShardWriter],
        metrics: ConsumerMetrics,
        logger: Logger,
        clusterID: String,
        consumerID: String,
        stopSignal: StopSignal,
        aggregators: [Int32: PartitionAggregator],
        shardProgress: [[Int32: Int64]],
        admission: SiteAdmission?,
        latenessMicros: Int64
    ) throws {
        self.admission = admission
        self.latenessMicros = latenessMicros
        self.stopSignal = stopSignal
        self.consumerID = consumerID
        self.configuration = configuration
        self.client = client
        self.writers = writers
        self.metrics = metrics
        self.logger = logger
        self.clusterID = clusterID
        self.aggregators = aggregators
        self.shardProgress = shardProgress
        self.lagGauges = Dictionary(uniqueKeysWithValues: aggregators.keys.map { ($0, metrics.lag(partition: $0)) })
        self.busy = Array(repeating: false, count: writers.count)
        self.inFlightRows = Array(repeating: 0, count: writers.count)
        self.writerTasks = Array(repeating: nil, count: writers.count)
        self.decoders = try (0..<Self.decodersAhead).map { _ in try ChunkDecoder(detectAttacks: configuration.detectAttacks) }
    }

    // MARK: - Start

    /// Finds the partitions and the broker's cluster id, reads every shard's progress (waiting
    /// for shards that are down), refuses progress written against another cluster, and sets
    /// each partition to resume at the smallest progress over the shards (DESIGN §10.6).
    static func start(
        configuration: ConsumerConfiguration,
        client: KafkaClient,
        writers: [ShardWriter],
        metrics: ConsumerMetrics,
        logger: Logger,
        stopSignal: StopSignal
    ) async throws -> ConsumerLoop {
        let (clusterID, partitionCount) = try await waitForTopic(
            configuration: configuration, client: client, logger: logger, stopSignal: stopSignal)
        let all = (0..<Int32(partitionCount)).map { $0 }
        // A group member starts with none: the group's assignment brings them (`followGroup`).
        let partitions = configuration.joinsGroup ? [] : configuration.partitions ?? all
        let unknown = partitions.filter { $0 >= partitionCount }
        guard unknown.isEmpty else {
            throw ConsumerError.unknownPartitions(unknown, topic: configuration.topic, partitionCount: partitionCount)
        }
        let process = ProcessInfo.processInfo
        let consumerID = "\(process.hostName)/\(process.processIdentifier)/\(UInt64.random(in: 1...UInt64.max))"
        func onEveryShard<Result: Sendable>(
            _ what: String, _ body: (ShardWriter) async throws -> Result
        ) async throws -> [Result] {
            try await Self.onEveryShard(
                writers, what, configuration: configuration, logger: logger, stopSignal: stopSignal, body)
        }
        let current = try await onEveryShard("reading progress") { writer in
            try await writer.readProgress(topic: configuration.topic, partitions: partitions)
        }
        let seeds = try seedsForNewShards(current, partitions: partitions, clusterID: clusterID)
        let stored = try await onEveryShard("claiming the partitions") { writer in
            try await writer.claim(
                topic: configuration.topic, partitions: partitions, clusterID: clusterID, consumerID: consumerID,
                seeds: seeds[writer.shard] ?? [:])
        }
        logger.info("claimed the partitions on every shard", metadata: ["consumer.id": "\(consumerID)"])

        let ring = try ShardRing(shardCount: writers.count)
        let lateness = Int64(configuration.lateness.components.seconds) * 1_000_000
            + configuration.lateness.components.attoseconds / 1_000_000_000_000
        let resumes = try resumes(partitions, claimed: stored, shardCount: writers.count)
        let admission = configuration.siteCap.map { SiteAdmission(cap: $0, shardCount: writers.count) }
        // (A group member has no partitions yet: it restores what its assignment needs then.)
        if let admission, !partitions.isEmpty {
            // Every decision a committed row may depend on is on some shard (SiteAdmission).
            let since = Self.oldestLiveMinute(watermarks: resumes.values.map(\.startWatermarkMicros), latenessMicros: lateness)
            _ = try await onEveryShard("reading the site cap's admissions") { writer in
                admission.restore(try await writer.readAdmissions(since: since))
            }
        }
        let sketches = configuration.sketches ? SketchOptions() : nil
        let attacks = configuration.detectAttacks ? AttackOptions(samplesPerClass: configuration.attackSamples) : nil
        var aggregators: [Int32: PartitionAggregator] = [:]
        for partition in partitions {
            guard let resume = resumes[partition] else { continue }
            aggregators[partition] = PartitionAggregator(
                topic: configuration.topic, partition: partition, ring: ring, latenessMicros: lateness, resume: resume,
                admission: admission, sketches: sketches, attacks: attacks)
            logger.info(
                "partition resumes",
                metadata: [
                    "partition": "\(partition)", "offset": "\(resume.startOffset)",
                    "shard.offsets": "\(resume.shards.map { $0.map { String($0.nextOffset) } ?? "-" })",
                ]
            )
        }
        let loop = try ConsumerLoop(
            configuration: configuration,
            client: client,
            writers: writers,
            metrics: metrics,
            logger: logger,
            clusterID: clusterID,
            consumerID: consumerID,
            stopSignal: stopSignal,
            aggregators: aggregators,
            shardProgress: stored.map { $0.mapValues(\.nextOffset) },
            admission: admission,
            latenessMicros: lateness
        )
        loop.membership = configuration.joinsGroup ? loop.makeMembership() : nil
        return loop
    }

    /// The first minute (epoch seconds) in which an aggregator may still make rows: its
    /// watermark minus the lateness bound, less a minute of margin, over all partitions; 0 while
    /// some partition has no watermark (its rows may land anywhere).
    static func oldestLiveMinute(watermarks: [Int64], latenessMicros: Int64) -> Int64 {
        guard let oldest = watermarks.min(), oldest > 0 else { return 0 }
        return max(0, EventTime.minute(ofMicros: oldest - latenessMicros) - 60)
    }

    /// Progress for shards that have none while others have some: a shard was added to the
    /// list (re-sharding, DESIGN §10.7). Allowed only after a drain — every other shard at the
    /// same offset and watermark — and then the new shard starts there, so nothing below is
    /// counted again under the new ring. Otherwise the start is refused.
    static func seedsForNewShards(
        _ current: [[Int32: StoredProgress]], partitions: [Int32], clusterID: String
    ) throws -> [Int: [Int32: StoredProgress]] {
        var seeds: [Int: [Int32: StoredProgress]] = [:]
        for partition in partitions {
            let present = current.compactMap { $0[partition] }
            let missing = current.indices.filter { current[$0][partition] == nil }
            guard !missing.isEmpty, let first = present.first else { continue }
            if let other = present.first(where: { $0.clusterID != clusterID }) {
                throw ConsumerError.clusterChanged(
                    shard: current.firstIndex { $0[partition] == other } ?? -1, partition: partition,
                    stored: other.clusterID, broker: clusterID)
            }
            guard present.allSatisfy({ $0.nextOffset == first.nextOffset && $0.watermarkMicros == first.watermarkMicros })
            else {
                throw ConsumerError.reshardWithoutDrain(
                    partition: partition, newShards: missing, offsets: present.map(\.nextOffset))
            }
            for shard in missing where first.nextOffset > 0 { seeds[shard, default: [:]][partition] = first }
        }
        return seeds
    }

    /// The topic's partition count and the broker's cluster id, waiting (and saying so) while
    /// the topic does not exist yet: the shipper creates it with its first records.
    private static func waitForTopic(
        configuration: ConsumerConfiguration,
        client: KafkaClient,
        logger: Logger,
        stopSignal: StopSignal
    ) async throws -> (clusterID: String, partitions: Int) {
        var warned = false
        while true {
            if stopSignal.isFired { throw StoppedBeforeStart() }
            let metadata = try await client.metadata(topics: [configuration.topic], allowAutoTopicCreation: false)
            guard let clusterID = metadata.namedClusterID else {
                throw ConsumerError.broker("the broker reports no cluster id (Metadata v2+ needed); cannot guard progress")
            }
            if let topic = metadata.topics.first(where: { $0.name == configuration.topic }), topic.errorCode == .none,
                !topic.partitions.isEmpty
            {
                return (clusterID, topic.partitions.count)
            }
            if !warned {
                logger.notice("waiting for the topic to exist", metadata: ["topic": "\(configuration.topic)"])
                warned = true
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Where each partition resumes, from what every shard's claim returned (its progress
    /// rows); throws when the shards' rows cannot belong together (`PartitionResume.validate`).
    static func resumes(
        _ partitions: [Int32], claimed stored: [[Int32: StoredProgress]], shardCount: Int
    ) throws -> [Int32: PartitionResume] {
        var resumes: [Int32: PartitionResume] = [:]
        for partition in partitions {
            let resume = PartitionResume(
                shards: stored.map { rows in
                    rows[partition].map { ShardProgress(nextOffset: $0.nextOffset, watermarkMicros: $0.watermarkMicros) }
                })
            try resume.validate(shardCount: shardCount)
            resumes[partition] = resume
        }
        return resumes
    }

    /// `body` on every shard in turn, each retried while its shard is unreachable (`retrying`).
    static func onEveryShard<Result: Sendable>(
        _ writers: [ShardWriter], _ what: String, configuration: ConsumerConfiguration, logger: Logger,
        stopSignal: StopSignal, _ body: (ShardWriter) async throws -> Result
    ) async throws -> [Result] {
        var results: [Result] = []
        for writer in writers {
            results.append(
                try await retrying(
                    what, shard: writer.shard, configuration: configuration, logger: logger, stopSignal: stopSignal
                ) { try await body(writer) })
        }
        return results
    }

    /// Retries `body` with exponential backoff while a shard is unreachable; gives up at once
    /// on errors retrying cannot fix (wrong schema, another cluster).
    static func retrying<T>(
        _ what: String,
        shard: Int,
        configuration: ConsumerConfiguration,
        logger: Logger,
        stopSignal: StopSignal,
        _ body: () async throws -> T
    ) async throws -> T {
        var backoff = ReconnectBackoff(maximum: configuration.retryBackoffMax)
        var random = SystemRandomNumberGenerator()
        while true {
            if stopSignal.isFired { throw StoppedBeforeStart() }
            do {
                return try await body()
            } catch {
                guard FlushRunner.isRetryable(error) else { throw error }
                let delay = backoff.nextDelay(using: &random)
                logger.warning(
                    "\(what) failed, retrying",
                    metadata: ["shard": "\(shard)", "error": "\(error)", "retry.in": "\(delay)"]
                )
                let deadline = ContinuousClock.now + delay
                while ContinuousClock.now < deadline, !stopSignal.isFired {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    // MARK: - Running

    /// Consumes until the stop signal fires (then flushes every shard and returns) or a fatal error.
    func run() async throws {
        var nextFlush = ContinuousClock.now + configuration.flushInterval
        var lastFlush = ContinuousClock.now
        var nextRetention = ContinuousClock.now + .seconds(10)
        var catchingUp = false
        while !stopSignal.isFired {
            // The moment a backlog is worked off, write it rather than waiting for the next
            // tick (at most every quarter interval): a catch-up after a restart or an outage is
            // visible as soon as it is read. Steady traffic keeps the regular cadence.
            if !backlog.isEmpty {
                catchingUp = true
            } else if catchingUp, ContinuousClock.now - lastFlush >= configuration.flushInterval / 4 {
                catchingUp = false
                nextFlush = ContinuousClock.now
            }
            try handleReports()
            try await followGroup()
            if ContinuousClock.now >= nextRetention {
                startRetention()
                nextRetention = ContinuousClock.now + .seconds(3600)
            }
            if ContinuousClock.now >= nextFlush {
                startFlushes()
                commitGroupOffsets()
                lastFlush = ContinuousClock.now
                nextFlush = lastFlush + configuration.flushInterval
            }
            let pending = pendingRows()
            metrics.pendingRows.record(pending)
            if pending > configuration.maxPendingRows {
                metrics.fetchingPaused.record(1)
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            metrics.fetchingPaused.record(0)
            try await fetchRound(until: nextFlush)
        }
        try await drain()
    }

    /// After a stop: waits for flushes in flight, then flushes what is left, once per shard.
    private func drain() async throws {
        logger.info("stopping: flushing every shard")
        try await flushEverything()
        for writer in writers { await writer.close() }
    }

    /// Waits for the flushes in flight, then flushes what is left, once per shard, and waits
    /// for those too: afterwards every fed record is committed on every shard (or fenced).
    func flushEverything() async throws {
        for round in 0..<2 {
            // A shard that is down would keep its writer retrying: when the lifecycle's
            // shutdown timeout cancels us, cancel the writers too (what they hold is read again
            // at the next start).
            let tasks = writerTasks.compactMap { $0 }
            await withTaskCancellationHandler {
                for task in tasks { await task.value }
            } onCancel: {
                for task in tasks { task.cancel() }
            }
            try handleReports()
            if round == 0 { startFlushes() }
        }
    }

    /// Rows aggregated and not yet committed, including flushes in flight.
    private func pendingRows() -> Int {
        aggregators.values.reduce(0) { $0 + $1.pendingRowCount } + inFlightRows.reduce(0, +)
    }

    // MARK: - Fetching

    /// One Fetch per partition, all in flight at once (on one connection per leader); then each
    /// answer fed in partition order. A round never waits past the next flush, nor for a
    /// broker that is down: its partitions fail at once and are asked again next round, while
    /// the partitions of the brokers that answer keep flowing.
    private func fetchRound(until deadline: ContinuousClock.Instant) async throws {
        // While any partition has a backlog, nobody waits: the round is as long as its slowest
        // answer, and a caught-up partition held for 500 ms would stall the others' catching up
        // (measured: 175 k records/s with held fetches, ~1 M/s without, BENCHMARKS.md).
        let wait: Duration =
            backlog.isEmpty ? max(min(deadline - ContinuousClock.now, .milliseconds(500)), .milliseconds(10)) : .zero
        let requests = aggregators.map { (partition: $0.key, offset: $0.value.nextOffset) }
        guard !requests.isEmpty else {
            try await Task.sleep(for: .milliseconds(100))
            return
        }
        let client = self.client
        let topic = configuration.topic
        let maxBytes = Int32(clamping: configuration.fetchMaxBytes)
        let stopSignal = self.stopSignal
        // A connection attempt to a broker that does not answer (a host gone, not a refused
        // port) may take the whole connect timeout: the round stops waiting for it.
        let giveUp = ContinuousClock.now + wait + Self.connectPatience
        let answers = await withTaskGroup(of: (Int32, Result<FetchResult, any Error>)?.self) { group in
            for request in requests {
                group.addTask {
                    do {
                        let answer = try await client.fetch(
                            topic: topic, partition: request.partition, offset: request.offset, maxBytes: maxBytes,
                            maxWait: wait, waitForLeader: false)
                        return (request.partition, .success(answer))
                    } catch {
                        return (request.partition, .failure(error))
                    }
                }
            }
            // A stop must not wait for a broker that is down.
            group.addTask {
                while !stopSignal.isFired && !Task.isCancelled && ContinuousClock.now < giveUp {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }
            var answers: [(Int32, Result<FetchResult, any Error>)] = []
            for await answer in group {
                if let answer {
                    answers.append(answer)
                    if answers.count == requests.count { group.cancelAll() }
                } else {
                    group.cancelAll()
                }
            }
            return answers.sorted { $0.0 < $1.0 }
        }
        if stopSignal.isFired { return }
        var fetched: [(partition: Int32, highWatermark: Int64, batches: [RecordBatch])] = []
        for (partition, answer) in answers {
            switch answer {
            case .success(let result):
                guard result.clusterID == clusterID else {
                    throw ConsumerError.clusterChanged(
                        shard: -1, partition: partition, stored: clusterID, broker: result.clusterID ?? "(none)")
                }
                if failing.remove(partition) != nil {
                    logger.info("fetching again", metadata: ["partition": "\(partition)"])
                }
                if let batches = try await acceptedBatches(result, partition: partition) {
                    fetched.append((partition, result.highWatermark, batches))
                }
            case .failure(let error):
                if failing.insert(partition).inserted {
                    logger.warning(
                        "fetch failed; retrying every round", metadata: ["partition": "\(partition)", "error": "\(error)"])
                }
            }
        }
        await feedRound(fetched.map { ($0.partition, $0.batches) })
        for (partition, highWatermark, _) in fetched {
            guard let aggregator = aggregators[partition] else { continue }
            let lag = max(0, highWatermark - aggregator.nextOffset)
            lagGauges[partition]?.record(lag)
            if lag > 0 { backlog.insert(partition) } else { backlog.remove(partition) }
        }
        // Nothing answered: do not spin on brokers that are down.
        if fetched.isEmpty && !failing.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
    }

    /// How long past its wait a round keeps waiting for connection attempts.
    static let connectPatience: Duration = .seconds(2)

    /// The batches of a Fetch answer to feed, or `nil` when there are none: an error answer is
    /// handled here (log start moved: skipped as a counted gap; others: retried next round),
    /// and corrupt batches are fetched again.
    private func acceptedBatches(_ result: FetchResult, partition: Int32) async throws -> [RecordBatch]? {
        guard let aggregator = aggregators[partition] else { return nil }
        switch result.errorCode {
        case .none:
            if result.highWatermark < aggregator.nextOffset {
                throw ConsumerError.logBehindProgress(
                    partition: partition, highWatermark: result.highWatermark, progress: aggregator.nextOffset)
            }
            do {
                return try result.batches()
            } catch {
                logger.error(
                    "fetched batches are corrupt; fetching again",
                    metadata: ["partition": "\(partition)", "offset": "\(aggregator.nextOffset)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(500))
                return nil
            }
        case .offsetOutOfRange:
            do {
                try await skipToLogStart(partition: partition)
            } catch let error as KafkaClientError {
                logger.warning("listing offsets failed; retrying", metadata: ["partition": "\(partition)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(200))
            }
            return nil
        case .notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable:
            // The client refreshes the partition's leader from Metadata before the next round.
            logger.debug("fetch went to a broker that does not lead the partition; routing again",
                metadata: ["partition": "\(partition)", "error": "\(result.errorCode)"])
            try await Task.sleep(for: .milliseconds(100))
            return nil
        default:
            logger.warning(
                "fetch answered with an error; retrying",
                metadata: ["partition": "\(partition)", "error": "\(result.errorCode)"])
            try await Task.sleep(for: .milliseconds(200))
            return nil
        }
    }

    /// Records per chunk decoded ahead: large enough that a task per chunk costs nothing, small
    /// enough that the first chunk of a round (decoded before anything can be aggregated) is a
    /// short wait.
    static let decodeChunkRecords = 4096

    /// Chunks decoded ahead of the one being aggregated, each by its own `ChunkDecoder`.
    static let decodersAhead = 2

    /// Feeds the round's batches, partition after partition in order, cut into chunks: the
    /// `decodersAhead` chunks after the one being aggregated are decoded (and classified) on
    /// tasks beside the loop (`ChunkDecoder`), so decoding and counting overlap.
    private func feedRound(_ fetched: [(partition: Int32, batches: [RecordBatch])]) async {
        var chunks: [(partition: Int32, batches: ArraySlice<RecordBatch>)] = []
        for (partition, batches) in fetched {
            var first = batches.startIndex
            var records = 0
            for index in batches.indices {
                records += Int(max(0, batches[index].header.recordsCount))
                if records >= Self.decodeChunkRecords || index == batches.index(before: batches.endIndex) {
                    chunks.append((partition, batches[first...index]))
                    first = index + 1
                    records = 0
                }
            }
        }
        var decoding: [Task<DecodedChunk, Never>] = []
        for index in chunks.indices.prefix(decoders.count) {
            decoding.append(Self.decoding(chunks[index].batches, with: decoders[index % decoders.count]))
        }
        for index in chunks.indices {
            let decoder = decoders[index % decoders.count]
            let chunk = await decoding[index % decoders.count].value
            let next = index + decoders.count
            if next < chunks.count { decoding[index % decoders.count] = Self.decoding(chunks[next].batches, with: decoder) }
            let partition = chunks[index].partition
            // Taken out of the table while it is fed, so it is uniquely referenced: left in,
            // the table's copy would make the first write to each of its buffers (pending
            // rows, the sketches) copy the whole buffer, once per chunk.
            defer { decoder.recycle(chunk) }
            guard var aggregator = aggregators.removeValue(forKey: partition) else { continue }
            let before = aggregator.statistics
            let records = chunk.feed(into: &aggregator)
            metrics.records.increment(by: records)
            metrics.count(from: before, to: aggregator.statistics)
            aggregators[partition] = aggregator
        }
    }

    private static func decoding(_ batches: ArraySlice<RecordBatch>, with decoder: ChunkDecoder) -> Task<DecodedChunk, Never> {
        Task { decoder.decode(batches) }
    }

    /// OFFSET_OUT_OF_RANGE: records before the log start were deleted by retention before they
    /// were counted. The gap is counted as rejected (`retention_gap`), never silently skipped.
    /// Does not wait for a leader that is down (the loop would stall for every partition):
    /// the failure is logged by the caller and the partition asked again next round.
    private func skipToLogStart(partition: Int32) async throws {
        guard var aggregator = aggregators[partition] else { return }
        let earliest = try await client.listOffsets(
            topic: configuration.topic, partition: partition, timestamp: ListOffsetsRequest.earliestTimestamp,
            waitForLeader: false
        ).offset
        let latest = try await client.listOffsets(
            topic: configuration.topic, partition: partition, timestamp: ListOffsetsRequest.latestTimestamp,
            waitForLeader: false
        ).offset
        if aggregator.nextOffset > latest {
            throw ConsumerError.logBehindProgress(partition: partition, highWatermark: latest, progress: aggregator.nextOffset)
        }
        guard earliest > aggregator.nextOffset else { return }
        let lost = earliest - aggregator.nextOffset
        logger.error(
            "records were deleted by the broker's retention before they were counted",
            metadata: ["partition": "\(partition)", "from": "\(aggregator.nextOffset)", "to": "\(earliest)"])
        aggregator.rejectGap(upTo: earliest, cause: .retentionGap)
        metrics.rejected(cause: "retention_gap").increment(by: Int(lost))
        aggregators[partition] = aggregator
    }

    // MARK: - Retention

    /// Creates the coming days' minute partitions ahead and drops whole day partitions of minute
    /// rows past `minute-retention` on every shard, beside
    /// the flushes (the writer's queue runs them in turn). Failures are logged; the next hour
    /// tries again.
    private func startRetention() {
        let now = Int64(Date.now.timeIntervalSince1970)
        let today = EventTime.day(ofSeconds: now)
        let retention = configuration.minuteRetention
        let day = EventTime.day(ofSeconds: now - retention.components.seconds)
        for writer in writers {
            let logger = self.logger
            Task {
                do {
                    // Today's and tomorrow's partitions are made ahead, outside any flush.
                    try await writer.prepareDays([today, today + 1])
                    guard retention > .zero else { return }
                    let dropped = try await writer.dropMinuteDays(before: day)
                    _ = try await writer.deleteSketchRows(before: day)
                    if dropped > 0 {
                        logger.info("dropped old minute partitions", metadata: ["shard": "\(writer.shard)", "days": "\(dropped)"])
                    }
                } catch {
                    logger.warning("minute retention failed", metadata: ["shard": "\(writer.shard)", "error": "\(error)"])
                }
            }
        }
    }

    // MARK: - Flushing

    /// Cuts and hands over the deltas of every idle shard. Every `heartbeatFlushes`-th round
    /// also writes the progress of partitions with nothing new: the compare-and-set then finds
    /// out whether a newer consumer claimed them (a quiet partition would otherwise never be
    /// fenced), and `updated_at` shows the consumer is alive.
    func startFlushes() {
        flushRounds += 1
        if let admission {
            let oldest = Self.oldestLiveMinute(
                watermarks: aggregators.values.map(\.watermarkMicros), latenessMicros: latenessMicros)
            if oldest > 0 { admission.forget(before: oldest) }
        }
        let heartbeat = flushRounds % Self.heartbeatFlushes == 0
        for shard in writers.indices where !busy[shard] {
            var parts: [ShardFlush.Part] = []
            for partition in aggregators.keys.sorted() {
                let expected = shardProgress[shard][partition]
                // Out of the table while the delta is cut, so nothing is copied (see `feedRound`).
                guard var aggregator = aggregators.removeValue(forKey: partition) else { continue }
                let delta = aggregator.takeDelta(shard: shard)
                aggregators[partition] = aggregator
                if delta.isEmpty && delta.nextOffset == expected && !heartbeat { continue }
                if delta.isEmpty && expected == nil && delta.nextOffset == 0 { continue }
                parts.append(ShardFlush.Part(delta: delta, expectedOffset: expected))
            }
            guard !parts.isEmpty else { continue }
            let flush = ShardFlush(
                shard: shard, topic: configuration.topic, clusterID: clusterID, consumerID: consumerID, parts: parts,
                admissions: admission?.newAdmissions(forShard: shard) ?? [])
            busy[shard] = true
            inFlightRows[shard] = flush.rowCount
            let writer = writers[shard]
            let mailbox = self.mailbox
            let metrics = self.metrics
            let logger = self.logger
            let configuration = self.configuration
            writerTasks[shard] = Task {
                await FlushRunner.run(
                    flush, with: writer, mailbox: mailbox, metrics: metrics, logger: logger,
                    configuration: configuration)
            }
        }
    }

    /// Applies the writers' reports: new progress, fenced partitions, fatal errors.
    func handleReports() throws {
        for report in mailbox.drain() {
            switch report {
            case .finished(let shard, let outcome):
                busy[shard] = false
                inFlightRows[shard] = 0
                writerTasks[shard] = nil
                for (partition, offset) in outcome.committed.merging(outcome.alreadyCommitted, uniquingKeysWith: max) {
                    shardProgress[shard][partition] = offset
                    metrics.committedOffset(shard: shard, partition: partition).record(offset)
                }
                metrics.rowsWritten.increment(by: outcome.rowsWritten)
                metrics.flushes(shard: shard).increment()
                if !outcome.fenced.isEmpty { fence(outcome.fenced, shard: shard) }
            case .fatal(let shard, let error):
                busy[shard] = false
                writerTasks[shard] = nil
                throw error
            }
        }
    }

    /// Another consumer owns these partitions: drop them, with everything pending for them
    /// (their records are that consumer's to count).
    private func fence(_ partitions: [Int32], shard: Int) {
        for partition in partitions where aggregators[partition] != nil {
            aggregators[partition] = nil
            backlog.remove(partition)
            fenced.append(partition)
            metrics.partitionsFenced.increment()
            logger.error(
                "another consumer owns this partition (its progress moved past ours); stopped consuming it",
                metadata: ["partition": "\(partition)", "shard": "\(shard)"])
        }
        if aggregators.isEmpty && membership == nil {
            mailbox.post(.fatal(shard: shard, error: ConsumerError.allPartitionsFenced(partitions: fenced.sorted())))
        }
    }

    /// Commits, per partition, the smallest progress over shards to the broker's group: what a
    /// lag tool shows and what retention must keep. Best effort and in the background (the
    /// broker may be down; that must not hold up the loop or a stop), one batch at a time.
    private func commitGroupOffsets() {
        if let groupCommit, !groupCommit.isFinished { return }
        var offsets: [Int32: Int64] = [:]
        for partition in aggregators.keys {
            let stored = shardProgress.map { $0[partition] }
            guard !stored.contains(nil), let smallest = stored.compactMap({ $0 }).min(),
                lastGroupCommit[partition] != smallest
            else { continue }
            offsets[partition] = smallest
        }
        guard !offsets.isEmpty else { return }
        for (partition, offset) in offsets { lastGroupCommit[partition] = offset }
        let client = self.client
        let logger = self.logger
        let group = configuration.group
        let topic = configuration.topic
        let membership = self.membership
        let task = GroupCommitTask()
        groupCommit = task
        Task {
            defer { task.finish() }
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                do {
                    if let membership {
                        try await membership.commit(topic: topic, offsets: [partition: offset])
                    } else {
                        try await client.commitOffset(group: group, topic: topic, partition: partition, offset: offset)
                    }
                } catch {
                    logger.debug("group offset commit failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                    return
                }
            }
        }
    }
}

/// A stop request arrived while the consumer was still starting (waiting for the topic or a
/// shard): nothing was read, so there is nothing to flush.
struct StoppedBeforeStart: Error {}

/// Whether the background group-offset commit still runs.
final class GroupCommitTask: Sendable {
    private let done = Atomic<Bool>(false)
    func finish() { done.store(true, ordering: .relaxed) }
    var isFinished: Bool { done.load(ordering: .relaxed) }
}
