import FileStorage
import Synchronization
import Logging
import SegmentStore
import Synchronization

/// The state one broker process serves, shared by every connection: its topics and their
/// partitions (each with its own producer state, group commit and long-poll waiters), committed
/// offsets, producer ids, cluster id, the held fetches and the metrics.
///
/// Data directory layout (everything the broker writes lives under `data-dir`):
///
/// ```
/// <data-dir>/cluster-id                     the cluster id, created at first start (ClusterIdentity)
/// <data-dir>/producer-ids                   end of the reserved producer-id block (ProducerIdAllocator)
/// <data-dir>/groups/<hex group>.offsets     one group's committed offsets (CommittedOffsetStore)
/// <data-dir>/<topic>-<partition>/           a partition log: 20-digit .log/.index/.timeindex and its
///                                           recovery-point (SegmentStore), and .snapshot files of its
///                                           producer state (PartitionProducers, one per Partition)
/// ```
///
/// Opening recovers every partition log (every batch after its recovery point checked, the log
/// cut at the first bad one, indexes rebuilt) before the broker accepts a connection; what
/// recovery checked and cut is counted in the metrics.
public final class BrokerNode: Sendable {
    public let configuration: BrokerConfiguration
    public let clusterID: String
    public let catalog: TopicCatalog
    public let committedOffsets: CommittedOffsetStore
    public let producerIDs: ProducerIdAllocator
    public let heldFetches: HeldFetches
    /// Consumer groups' membership (the broker is its own group coordinator).
    public let groups: GroupCoordinator
    public let metrics: BrokerMetrics
    public let logger: Logger
    public let clock: WallClock
    let fileSystem: any FileSystem
    private let boundPort: Mutex<Int>

    /// Opens (creating on first start) the data directory described by `configuration`.
    /// - Throws: ``BrokerError`` for a bad configuration or state file, or the storage error of a
    ///   partition log that cannot be recovered.
    public init(
        configuration: BrokerConfiguration,
        fileSystem: any FileSystem = PosixFileSystem(),
        metrics: BrokerMetrics = BrokerMetrics(),
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        try configuration.validate()
        let directory = configuration.dataDirectory
        self.configuration = configuration
        self.clock = clock
        self.fileSystem = fileSystem
        self.clusterID = try ClusterIdentity.loadOrCreate(
            dataDirectory: directory, fileSystem: fileSystem, configured: configuration.clusterID)
        self.catalog = try TopicCatalog(
            dataDirectory: directory,
            fileSystem: fileSystem,
            logConfiguration: PartitionLogConfiguration(
                segmentBytes: configuration.segmentBytes,
                maxBatchBytes: configuration.maxBatchBytes
            ),
            maxTopics: configuration.maxTopics,
            maxPartitions: configuration.maxPartitions,
            durability: configuration.durability,
            retentionMilliseconds: configuration.retentionMilliseconds,
            metrics: metrics,
            clock: clock,
            logger: logger
        )
        self.committedOffsets = try CommittedOffsetStore(
            dataDirectory: directory,
            fileSystem: fileSystem,
            maxGroups: configuration.maxGroups,
            clock: clock,
            logger: logger
        )
        self.producerIDs = try ProducerIdAllocator(dataDirectory: directory, fileSystem: fileSystem)
        for partition in catalog.allPartitions {
            metrics.recoveryValidatedBatches.increment(by: Int64(partition.log.recoveryReport.validatedBatches))
            metrics.recoveryTruncatedBytes.increment(by: partition.log.recoveryReport.truncatedBytes)
        }
        self.heldFetches = HeldFetches()
        self.groups = GroupCoordinator(maxGroups: configuration.maxGroups)
        self.metrics = metrics
        self.logger = logger
        self.boundPort = Mutex(configuration.port)
    }

    /// Fsyncs every partition with unsynced appends (fsync=interval). Blocking: call it on a
    /// storage thread.
    public func flushAll() {
        for partition in catalog.allPartitions {
            do {
                try partition.flush()
            } catch {
                logger.error(
                    "interval fsync failed", metadata: ["path": "\(partition.log.directory)", "error": "\(error)"])
            }
        }
    }

    /// How often the broker stores each partition's recovery point (`writeRecoveryPoints()`):
    /// recovery after a crash validates at most about this much of the latest appends beyond
    /// what it must. Off the produce path; a partition whose durable end did not move costs
    /// nothing.
    public static let recoveryPointIntervalMilliseconds: Int64 = 1000

    /// Stores the durable end of every partition as its recovery point where it moved
    /// (`PartitionLog.writeRecoveryPoint()`). Blocking: call it on a storage thread. A failure
    /// leaves that partition's older recovery point, still valid, and is logged at debug level
    /// (the disk's trouble shows in the fsyncs that fail with it).
    public func writeRecoveryPoints() {
        for partition in catalog.allPartitions {
            do {
                try partition.log.writeRecoveryPoint()
            } catch {
                logger.debug(
                    "cannot store a recovery point",
                    metadata: ["path": "\(partition.log.directory)", "error": "\(error)"])
            }
        }
    }

    /// The port written into Metadata and FindCoordinator: the one actually bound once the
    /// listener is up (which differs from the configured one when that was 0).
    public var advertisedPort: Int { boundPort.withLock { $0 } }

    /// Records the port the listener bound.
    public func listenerBound(port: Int) {
        boundPort.withLock { $0 = port }
    }

    /// Makes every held fetch answer now, and every later one answer without waiting: the first
    /// step of a graceful shutdown, so connections drain quickly.
    public func stopHoldingFetches() {
        heldFetches.shutDown(catalog.allPartitions)
        groups.shutDown()
    }

    /// Closes every partition log (syncing it). After this, storage requests fail; call it once
    /// no connection is left.
    /// Producer state is snapshotted at the synced log end first, so the next start-up reads
    /// no log to rebuild it.
    public func close() {
        let partitions = catalog.allPartitions
        heldFetches.shutDown(partitions)
        groups.shutDown()
        for partition in partitions {
            do {
                try partition.snapshotProducersForShutdown()
            } catch {
                logger.error(
                    "no producer state snapshot at shutdown",
                    metadata: ["path": "\(partition.log.directory)", "error": "\(error)"]
                )
            }
        }
        catalog.closeAll()
    }
}
