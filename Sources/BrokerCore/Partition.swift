import FileStorage
import Logging
import NIOCore
import SegmentStore

/// One topic-partition this broker serves: its log and everything the broker keeps beside it —
/// the idempotent producers' state (``PartitionProducers``), the produce requests waiting for an
/// fsync (``GroupCommit``) and the held fetches waiting for an append (``AppendWaiters``).
///
/// The ``TopicCatalog`` creates one per partition directory and holds it for as long as the
/// broker runs, so everything about a partition is reached through it — there are no tables
/// keyed by the log elsewhere. Thread-safe: each part guards its own state.
///
/// Invariant: the high watermark readers see never passes what the durability policy allows
/// (the durable end with fsync=ack, the log end otherwise), and it only moves together with a
/// wake-up of the held fetches (after an append, or with fsync=ack after a sync).
public final class Partition: Sendable {
    /// What every partition of one broker shares.
    public struct Environment: Sendable {
        public var fileSystem: any FileSystem
        public var durability: DurabilityPolicy
        /// Producers idle for longer than this are forgotten (0: kept).
        public var retentionMilliseconds: Int64
        public var metrics: BrokerMetrics
        public var clock: WallClock

        public init(
            fileSystem: any FileSystem,
            durability: DurabilityPolicy = .beforeAck,
            retentionMilliseconds: Int64 = 0,
            metrics: BrokerMetrics = BrokerMetrics(),
            clock: WallClock = .system
        ) {
            self.fileSystem = fileSystem
            self.durability = durability
            self.retentionMilliseconds = retentionMilliseconds
            self.metrics = metrics
            self.clock = clock
        }
    }

    public let topic: String
    public let index: Int32
    public let log: PartitionLog
    let producers: PartitionProducers
    let appendWaiters: AppendWaiters
    private let groupCommit: GroupCommit
    private let exposesOnlyDurableOffsets: Bool
    private let metrics: BrokerMetrics

    init(topic: String, index: Int32, log: PartitionLog, environment: Environment, logger: Logger) {
        let durableOnly = environment.durability.exposesOnlyDurableOffsets
        let metrics = environment.metrics
        let appendWaiters = AppendWaiters()
        self.topic = topic
        self.index = index
        self.log = log
        self.metrics = metrics
        self.exposesOnlyDurableOffsets = durableOnly
        self.appendWaiters = appendWaiters
        self.producers = PartitionProducers(
            log: log,
            fileSystem: environment.fileSystem,
            retentionMilliseconds: environment.retentionMilliseconds,
            clock: environment.clock,
            metrics: metrics,
            logger: logger
        )
        self.groupCommit = GroupCommit(durableEnd: { log.durableEndOffset }) {
            let durable = try Self.sync(log, counting: metrics)
            // With fsync=ack a sync is what moves the high watermark.
            if durableOnly { appendWaiters.wakeAll() }
            return durable
        }
    }

    /// The offset Fetch and ListOffsets expose as the end of the partition: the durable end
    /// with fsync=ack (nothing a crash can take back is ever served), the log end otherwise.
    public var highWatermark: Int64 {
        exposesOnlyDurableOffsets ? log.durableEndOffset : log.logEndOffset
    }

    /// Stores what is new in `records` (a Produce's batches for this partition), counting what
    /// was stored and waking held fetches when the high watermark moved with it.
    func append(_ records: ByteBuffer) -> PartitionAppendOutcome {
        let outcome = producers.append(records)
        if outcome.storedRecords > 0 {
            if !exposesOnlyDurableOffsets { appendWaiters.wakeAll() }
            metrics.produceBytes.increment(by: Int64(outcome.storedBytes))
            metrics.produceRecords.increment(by: outcome.storedRecords)
        }
        return outcome
    }

    /// Calls `completion` once the log is durable through `offset` (every record below it), or
    /// with the error of the sync that failed; concurrent callers share fsyncs (``GroupCommit``).
    func waitUntilDurable(
        through offset: Int64,
        executor: any StorageExecutor,
        eventLoop: any EventLoop,
        completion: @escaping GroupCommit.Completion
    ) {
        groupCommit.waitUntilDurable(through: offset, executor: executor, eventLoop: eventLoop, completion: completion)
    }

    /// Fsyncs the log if it has unsynced appends (fsync=interval). Blocking.
    func flush() throws {
        guard log.durableEndOffset < log.logEndOffset else { return }
        try Self.sync(log, counting: metrics)
    }

    /// The producer state, loading it if needed (tests and diagnostics).
    public func producerState() throws -> ProducerStateTable {
        try producers.table()
    }

    /// At clean shutdown, before the log closes: syncs the log and snapshots the producer state
    /// at its end, so the next start-up reads no log to rebuild it. Nothing to do for a
    /// partition no producer wrote to since start-up.
    func snapshotProducersForShutdown() throws {
        guard producers.isLoaded else { return }
        try log.sync()
        producers.snapshotAtLogEnd()
    }

    /// Syncs `log`, counting the fsyncs it took in the metrics.
    @discardableResult
    private static func sync(_ log: PartitionLog, counting metrics: BrokerMetrics) throws -> Int64 {
        let before = log.syncCount
        let durable = try log.sync()
        metrics.countFsyncs(log.syncCount - before)
        return durable
    }
}
