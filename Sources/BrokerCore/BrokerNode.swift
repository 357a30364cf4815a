import Logging
import SegmentStore

/// The state one broker process serves, shared by every connection: its topics, committed
/// offsets, producer ids, cluster id, the long-poll waiters and the metrics.
///
/// Data directory layout (everything the broker writes lives under `data-dir`):
///
/// ```
/// <data-dir>/cluster-id                     the cluster id, created at first start (ClusterIdentity)
/// <data-dir>/producer-ids                   end of the reserved producer-id block (ProducerIdAllocator)
/// <data-dir>/groups/<hex group>.offsets     one group's committed offsets (CommittedOffsetStore)
/// <data-dir>/<topic>-<partition>/           a partition log: 20-digit .log/.index/.timeindex (SegmentStore)
/// ```
///
/// Opening recovers every partition log (torn tails cut, missing indexes rebuilt) before the
/// broker accepts a connection.
public final class BrokerNode: Sendable {
    public let configuration: BrokerConfiguration
    public let clusterID: String
    public let catalog: TopicCatalog
    public let committedOffsets: CommittedOffsetStore
    public let producerIDs: ProducerIdAllocator
    public let waiters: AppendWaiters
    public let metrics: BrokerMetrics
    public let logger: Logger
    private let boundPort: Locked<Int>

    /// Opens (creating on first start) the data directory described by `configuration`.
    /// - Throws: ``BrokerError`` for a bad configuration or state file, or the storage error of a
    ///   partition log that cannot be recovered.
    public init(
        configuration: BrokerConfiguration,
        fileSystem: any SegmentFileSystem = PosixFileSystem(),
        metrics: BrokerMetrics = BrokerMetrics(),
        logger: Logger
    ) throws {
        try configuration.validate()
        let directory = configuration.dataDirectory
        self.configuration = configuration
        self.clusterID = try ClusterIdentity.loadOrCreate(dataDirectory: directory, fileSystem: fileSystem)
        self.catalog = try TopicCatalog(
            dataDirectory: directory,
            fileSystem: fileSystem,
            logConfiguration: PartitionLogConfiguration(
                segmentBytes: configuration.segmentBytes,
                maxBatchBytes: configuration.maxBatchBytes
            ),
            maxTopics: configuration.maxTopics,
            maxPartitions: configuration.maxPartitions,
            logger: logger
        )
        self.committedOffsets = try CommittedOffsetStore(
            dataDirectory: directory,
            fileSystem: fileSystem,
            maxGroups: configuration.maxGroups,
            logger: logger
        )
        self.producerIDs = try ProducerIdAllocator(dataDirectory: directory, fileSystem: fileSystem)
        self.waiters = AppendWaiters()
        self.metrics = metrics
        self.logger = logger
        self.boundPort = Locked(configuration.port)
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
        waiters.shutDown()
    }

    /// Closes every partition log (syncing it). After this, storage requests fail; call it once
    /// no connection is left.
    public func close() {
        waiters.shutDown()
        catalog.closeAll()
    }
}
