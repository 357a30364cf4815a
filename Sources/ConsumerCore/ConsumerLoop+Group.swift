import KafkaClient
import Synchronization
import Logging
import TrafficAggregation

/// The consumer as a member of a Kafka consumer group (`--group NAME` given, no
/// `--partitions`): its partitions are the group's assignment, and they change at every
/// rebalance (a member joined, left, or was dropped after its session timed out — kill -9).
///
/// A rebalance is handled between fetch rounds, by the loop's own task, in this order:
/// 1. Release (eager protocol: every partition is given up): wait for the flushes in flight,
///    flush what is left to every shard and wait for those commits too, commit the progress to
///    the group under the ending generation, drop every aggregator. Nothing this consumer read
///    is then held only in memory, and no flush of it can land later.
/// 2. Join and sync (``GroupMembership/join()``): the next generation's partitions.
/// 3. Take over each assigned partition as `start` does (DESIGN §10.6): read every shard's
///    progress, claim the rows (which fences any older owner still writing), resume at the
///    smallest progress over the shards.
///
/// Exactly-once never rests on the group: two consumers that both believe they own a partition
/// (a member dropped while still running) are told apart by the claims and the progress
/// compare-and-set on the shards (DESIGN §10.5), as with static partitions. The group only
/// decides who should read what. Because a member drops everything at each rebalance, a
/// partition that comes back to it is always read afresh from the shards, never from state
/// that another member may have overtaken meanwhile.
///
/// Step 1 waits as long as a shard is down (its writer retries); past the rebalance timeout
/// the coordinator drops this member, and its next join starts a new membership. A partition
/// fenced while assigned (a consumer outside the group claimed it) stays dropped until the
/// next rebalance, and losing every partition that way is not fatal for a member.
extension ConsumerLoop {
    /// The membership for `configuration.group`, subscribed to the topic.
    func makeMembership() -> GroupMembership {
        GroupMembership(
            client: client,
            configuration: GroupMembership.Configuration(
                group: configuration.group, topics: [configuration.topic],
                sessionTimeout: configuration.groupSessionTimeout),
            logger: logger)
    }

    /// Handles the end of a generation (or the first join): release, join, take over. Returns
    /// at once while the membership is current. A join that fails (broker unreachable) is
    /// tried again at the next call, after a short pause.
    func followGroup() async throws {
        guard let membership, membership.needsRejoin, !stopSignal.isFired else { return }
        try await releasePartitions(membership)
        let generation: GroupMembership.Generation
        do {
            guard let joined = try await joinUnlessStopped(membership) else { return }
            generation = joined
        } catch {
            logger.warning(
                "joining the consumer group failed; retrying",
                metadata: ["group": "\(configuration.group)", "error": "\(error)"])
            try await Task.sleep(for: .milliseconds(500))
            return
        }
        let assigned = (generation.partitions[configuration.topic] ?? []).sorted()
        metrics.groupGeneration.record(Int(generation.id))
        metrics.assignedPartitions.record(assigned.count)
        do {
            try await takeOver(assigned)
        } catch is StoppedBeforeStart {
            return  // a stop while a shard was unreachable: nothing was taken over
        }
    }

    /// The next generation, or `nil` when a stop arrives first: the coordinator parks a join
    /// until every member rejoined (up to the rebalance timeout), and a stop must not wait for
    /// that. The abandoned join ends with the leave at the stop (`leaveGroup`).
    private func joinUnlessStopped(_ membership: GroupMembership) async throws -> GroupMembership.Generation? {
        let finished = JoinFinished()
        let joining = Task {
            defer { finished.mark() }
            return try await membership.join()
        }
        while !finished.isMarked {
            if stopSignal.isFired { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await joining.value
    }

    /// Step 1: every pending delta committed to every shard (or fenced), the progress
    /// committed to the group as this generation's member, every partition dropped.
    private func releasePartitions(_ membership: GroupMembership) async throws {
        guard !aggregators.isEmpty || writerTasks.contains(where: { $0 != nil }) else { return }
        // Where the shards stood when the rebalance began (said in the release log).
        let before = aggregators.keys.reduce(into: [Int32: Int64]()) { smallest, partition in
            smallest[partition] = shardProgress.map { $0[partition] ?? 0 }.min() ?? 0
        }
        try await flushEverything()
        await commitMemberOffsets(membership)
        let released = aggregators.keys.sorted()
        for partition in released {
            guard let next = aggregators[partition]?.nextOffset else { continue }
            // Every shard holds `next` unless a flush was fenced (another consumer's claim).
            let everywhere = shardProgress.allSatisfy { $0[partition] == next }
            logger.info(
                "partition released for the rebalance",
                metadata: [
                    "partition": "\(partition)", "offset": "\(next)", "committed.on.every.shard": "\(everywhere)",
                    "shards.before": "\(before[partition] ?? 0)",
                ])
        }
        aggregators.removeAll()
        backlog.removeAll()
        lastGroupCommit.removeAll()
        for shard in shardProgress.indices { shardProgress[shard].removeAll() }
        for partition in released { lagGauges[partition]?.record(0) }
        metrics.assignedPartitions.record(0)
    }

    /// The smallest progress over shards of every partition held, committed to the group under
    /// the current generation — before the partitions are given up, and at a clean stop. Best
    /// effort: the shards' progress rows, not the group's offsets, decide where anyone resumes.
    func commitMemberOffsets(_ membership: GroupMembership) async {
        var offsets: [Int32: Int64] = [:]
        for partition in aggregators.keys {
            let stored = shardProgress.map { $0[partition] }
            guard !stored.contains(nil), let smallest = stored.compactMap({ $0 }).min() else { continue }
            offsets[partition] = smallest
        }
        do {
            try await membership.commit(topic: configuration.topic, offsets: offsets)
        } catch {
            logger.info(
                "committing the group offsets before the release failed (the shards hold the progress)",
                metadata: ["error": "\(error)"])
        }
    }

    /// At a clean stop, after the last flush: commit, then leave so the others rebalance now
    /// rather than after the session timeout.
    func leaveGroup() async {
        guard let membership else { return }
        await commitMemberOffsets(membership)
        await membership.leave()
    }

    /// Step 3: the assigned partitions, resumed from the shards' progress and claimed, as
    /// `ConsumerLoop.start` does for static ones.
    private func takeOver(_ partitions: [Int32]) async throws {
        guard !partitions.isEmpty else {
            logger.notice("the consumer group assigned this member no partitions (more members than partitions?)")
            return
        }
        let configuration = self.configuration
        func onEveryShard<Result: Sendable>(
            _ what: String, _ body: (ShardWriter) async throws -> Result
        ) async throws -> [Result] {
            try await Self.onEveryShard(
                writers, what, configuration: configuration, logger: logger, stopSignal: stopSignal, body)
        }
        let topic = configuration.topic
        let current = try await onEveryShard("reading progress") { writer in
            try await writer.readProgress(topic: topic, partitions: partitions)
        }
        let seeds = try Self.seedsForNewShards(current, partitions: partitions, clusterID: clusterID)
        let (clusterID, consumerID) = (self.clusterID, self.consumerID)
        let stored = try await onEveryShard("claiming the partitions") { writer in
            try await writer.claim(
                topic: topic, partitions: partitions, clusterID: clusterID, consumerID: consumerID,
                seeds: seeds[writer.shard] ?? [:])
        }
        let resumes = try Self.resumes(partitions, claimed: stored, shardCount: writers.count)
        if let admission {
            // Decisions other members made while they held these partitions are on the shards.
            let since = Self.oldestLiveMinute(
                watermarks: resumes.values.map(\.startWatermarkMicros), latenessMicros: latenessMicros)
            _ = try await onEveryShard("reading the site cap's admissions") { writer in
                admission.restore(try await writer.readAdmissions(since: since))
            }
        }
        let ring = try ShardRing(shardCount: writers.count)
        let sketches = configuration.sketches ? SketchOptions() : nil
        let attacks = configuration.detectAttacks ? AttackOptions(samplesPerClass: configuration.attackSamples) : nil
        for partition in partitions {
            guard let resume = resumes[partition] else { continue }
            aggregators[partition] = PartitionAggregator(
                topic: topic, partition: partition, ring: ring, latenessMicros: latenessMicros, resume: resume,
                admission: admission, sketches: sketches, attacks: attacks)
            for shard in writers.indices { shardProgress[shard][partition] = stored[shard][partition]?.nextOffset }
            if lagGauges[partition] == nil { lagGauges[partition] = metrics.lag(partition: partition) }
            logger.info(
                "partition assigned by the group resumes",
                metadata: [
                    "partition": "\(partition)", "offset": "\(resume.startOffset)",
                    "shard.offsets": "\(resume.shards.map { $0.map { String($0.nextOffset) } ?? "-" })",
                ])
        }
    }
}

/// Whether a join task has ended (polled by the loop beside the stop signal).
final class JoinFinished: Sendable {
    private let done = Atomic<Bool>(false)
    func mark() { done.store(true, ordering: .releasing) }
    var isMarked: Bool { done.load(ordering: .acquiring) }
}
