import FileStorage
import Synchronization
import KafkaProtocol
import Logging
import SegmentStore
import Synchronization

/// The topics this broker holds and each of their partitions (``Partition``: the open log and
/// the state kept beside it).
///
/// On disk a topic is nothing but its partition directories, `<data-dir>/<topic>-<partition>/`
/// (`SegmentFileName.partitionDirectoryName`); at start-up every such directory is opened (which
/// runs `LogRecovery`: every batch after the partition's recovery point checked, the log cut at
/// the first bad one, indexes rebuilt). A topic's partition count is
/// fixed once created (DESIGN §3), so a gap in the numbering found at start-up is filled with an
/// empty partition rather than shrinking the topic.
///
/// Creating topics is bounded by `maxTopics` and `maxPartitions` (every partition holds open
/// files). Thread-safe: lookups take a lock briefly; creation holds it while the directories are
/// made, so two connections auto-creating one topic create it once.
public final class TopicCatalog: Sendable {
    /// Why a topic could not be created.
    public enum CreationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a legal Kafka topic name (INVALID_TOPIC_EXCEPTION).
        case invalidName(String)
        /// Creating it would exceed `max-topics`.
        case topicLimit(Int)
        /// Creating it would exceed `max-partitions`.
        case partitionLimit(Int)
        /// Auto-creation is off and the topic does not exist.
        case autoCreateDisabled
        /// The partition logs could not be created.
        case storage(String)
        /// CreateTopics for a topic that exists (TOPIC_ALREADY_EXISTS).
        case alreadyExists
        /// The topic's files are still being removed by a DeleteTopics.
        case beingDeleted

        public var description: String {
            switch self {
            case .invalidName(let name): "illegal topic name \(String(reflecting: name))"
            case .topicLimit(let limit): "max-topics (\(limit)) reached"
            case .partitionLimit(let limit): "max-partitions (\(limit)) reached"
            case .autoCreateDisabled: "auto-create-topics is off"
            case .storage(let reason): "cannot create partition logs: \(reason)"
            case .alreadyExists: "the topic exists"
            case .beingDeleted: "the topic is being deleted"
            }
        }
    }

    struct State {
        var topics: [String: [Partition]] = [:]
        var partitionCount = 0
        /// Topics whose files are being removed (`delete`): not created again meanwhile, so
        /// a new log never opens the old files.
        var deleting: Set<String> = []
    }

    public let dataDirectory: String
    private let logConfiguration: PartitionLogConfiguration
    private let environment: Partition.Environment
    private let maxTopics: Int
    private let maxPartitions: Int
    private let logger: Logger
    private let state: Mutex<State>

    /// Opens every partition directory under `dataDirectory` (creating the directory if needed).
    ///
    /// - Parameters:
    ///   - durability, retentionMilliseconds, metrics: what every ``Partition`` is run with
    ///     (when it syncs, how long idle producers are kept, where it counts).
    public init(
        dataDirectory: String,
        fileSystem: any FileSystem,
        logConfiguration: PartitionLogConfiguration,
        maxTopics: Int,
        maxPartitions: Int,
        durability: DurabilityPolicy = .beforeAck,
        retentionMilliseconds: Int64 = 0,
        metrics: BrokerMetrics = BrokerMetrics(),
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        self.dataDirectory = dataDirectory
        self.logConfiguration = logConfiguration
        let environment = Partition.Environment(
            fileSystem: fileSystem, durability: durability, retentionMilliseconds: retentionMilliseconds,
            metrics: metrics, clock: clock)
        self.environment = environment
        self.maxTopics = maxTopics
        self.maxPartitions = maxPartitions
        self.logger = logger
        try fileSystem.createDirectory(atPath: dataDirectory)
        let tombstones = try Self.removeTombstones(in: dataDirectory, fileSystem)
        if tombstones > 0 {
            logger.notice("removed what an interrupted topic deletion left", metadata: ["partitions": "\(tombstones)"])
        }
        var state = State()
        for (topic, count) in try Self.partitionCounts(in: dataDirectory, fileSystem) {
            let partitions = try (0..<count).map { index in
                try Self.openPartition(topic, Int32(index), dataDirectory, logConfiguration, environment, logger)
            }
            state.topics[topic] = partitions
            state.partitionCount += partitions.count
            for partition in partitions { Self.logTruncation(of: partition, logger) }
        }
        if state.topics.count > maxTopics || state.partitionCount > maxPartitions {
            logger.warning(
                "the data directory holds more topics or partitions than the limits allow; no new ones will be created",
                metadata: ["topics": "\(state.topics.count)", "partitions": "\(state.partitionCount)"]
            )
        }
        self.state = Mutex(state)
    }

    /// Every topic found on disk with its partition count (highest partition number + 1: a gap
    /// is filled, never shrinks the topic), sorted by name.
    private static func partitionCounts(
        in dataDirectory: String,
        _ fileSystem: any FileSystem
    ) throws -> [(topic: String, count: Int)] {
        var found: [String: Set<Int32>] = [:]
        for name in try fileSystem.contentsOfDirectory(atPath: dataDirectory) {
            guard let (topic, partition) = SegmentFileName.parsePartitionDirectoryName(name) else { continue }
            found[topic, default: []].insert(partition)
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, Int($0.value.max() ?? 0) + 1) }
    }

    private static func logTruncation(of partition: Partition, _ logger: Logger) {
        let report = partition.log.recoveryReport
        guard report.truncatedBytes > 0 else { return }
        logger.warning(
            "cut the log at its first bad batch at start-up",
            metadata: [
                "topic": "\(partition.topic)", "partition": "\(partition.index)",
                "truncated-bytes": "\(report.truncatedBytes)",
                "removed-segments": "\(report.removedSegments.count)",
                "validated-from-offset": "\(report.validatedFromOffset)",
                "reason": "\(report.truncationReason ?? "")",
            ]
        )
    }

    private static func openPartition(
        _ topic: String,
        _ index: Int32,
        _ dataDirectory: String,
        _ configuration: PartitionLogConfiguration,
        _ environment: Partition.Environment,
        _ logger: Logger
    ) throws -> Partition {
        let name = try SegmentFileName.partitionDirectoryName(topic: topic, partition: index)
        var logger = logger
        logger[metadataKey: "topic"] = "\(topic)"
        logger[metadataKey: "partition"] = "\(index)"
        let log = try PartitionLog(
            directory: "\(dataDirectory)/\(name)",
            fileSystem: environment.fileSystem,
            configuration: configuration,
            validator: .crc32c,
            clock: environment.clock,
            logger: logger
        )
        return Partition(topic: topic, index: index, log: log, environment: environment, logger: logger)
    }

    /// The partitions of `topic`, `nil` when it does not exist.
    public func partitions(of topic: String) -> [Partition]? {
        state.withLock { $0.topics[topic] }
    }

    /// One partition, `nil` when the topic or partition does not exist.
    public func partition(_ topic: String, _ index: Int32) -> Partition? {
        state.withLock { state in
            guard let partitions = state.topics[topic], index >= 0, Int(index) < partitions.count else { return nil }
            return partitions[Int(index)]
        }
    }

    /// Every partition of every topic, topics by name, partitions in order.
    public var allPartitions: [Partition] {
        state.withLock { state in state.topics.keys.sorted().flatMap { state.topics[$0] ?? [] } }
    }

    /// Every topic with its partition count, sorted by name.
    public var topics: [(name: String, partitionCount: Int)] {
        state.withLock { state in
            state.topics.keys.sorted().map { ($0, state.topics[$0]?.count ?? 0) }
        }
    }

    /// The partitions of `topic`, creating it with `partitionCount` partitions when it does not
    /// exist. Does file I/O when it creates: call it off the event loop.
    public func partitions(of topic: String, creatingWith partitionCount: Int) throws(CreationError) -> [Partition] {
        try partitions(of: topic, creatingWith: partitionCount, failingIfExists: false)
    }

    /// `failingIfExists`: CreateTopics, for which an existing topic is `.alreadyExists` (checked
    /// under the same lock as the creation, so a concurrent auto-creation cannot slip between).
    private func partitions(
        of topic: String, creatingWith partitionCount: Int, failingIfExists: Bool
    ) throws(CreationError) -> [Partition] {
        let result: Result<[Partition], CreationError> = state.withLock { state in
            if let partitions = state.topics[topic] {
                return failingIfExists ? .failure(.alreadyExists) : .success(partitions)
            }
            if let refusal = refusal(creating: topic, partitionCount: partitionCount, state) { return .failure(refusal) }
            var partitions: [Partition] = []
            do {
                for index in 0..<partitionCount {
                    partitions.append(
                        try Self.openPartition(
                            topic, Int32(index), dataDirectory, logConfiguration, environment, logger))
                }
            } catch {
                for partition in partitions { try? partition.log.close() }
                return .failure(.storage("\(error)"))
            }
            state.topics[topic] = partitions
            state.partitionCount += partitions.count
            logger.info("created topic", metadata: ["topic": "\(topic)", "partitions": "\(partitionCount)"])
            return .success(partitions)
        }
        return try result.get()
    }

    /// Creates `topic` with `partitionCount` partitions (CreateTopics); `.alreadyExists` when it
    /// exists. `validateOnly`: every check, nothing created. Does file I/O: call it off the
    /// event loop.
    public func create(_ topic: String, partitionCount: Int, validateOnly: Bool) throws(CreationError) {
        if validateOnly {
            let refused = state.withLock { state -> CreationError? in
                if state.topics[topic] != nil { return .alreadyExists }
                return refusal(creating: topic, partitionCount: partitionCount, state)
            }
            if let refused { throw refused }
            return
        }
        _ = try partitions(of: topic, creatingWith: partitionCount, failingIfExists: true)
    }

    /// Deletes `topic` (DeleteTopics): it leaves the catalog at once (later requests find it
    /// unknown), its logs are closed (requests still on them fail with a storage error; held
    /// fetches are woken and find it gone), each partition directory is renamed to a
    /// tombstone (`<directory>.deleted`, one atomic rename each), and the tombstones are
    /// removed. Until they are, the name cannot be created again (`.beingDeleted`), so a new
    /// log never opens the old files. Returns `false` when the topic does not exist.
    ///
    /// A failure or a crash after the renames leaves tombstones, which the next start removes
    /// (`init`) instead of opening them; a crash during the renames leaves the topic with its
    /// not yet renamed partitions, whole, to be deleted again. Either way no partly deleted
    /// partition ever comes back. Does file I/O: call it off the event loop.
    public func delete(_ topic: String) throws -> Bool {
        let removed = state.withLock { state -> [Partition]? in
            guard let partitions = state.topics.removeValue(forKey: topic) else { return nil }
            state.partitionCount -= partitions.count
            state.deleting.insert(topic)
            return partitions
        }
        guard let removed else { return false }
        for partition in removed {
            try? partition.log.close()
            partition.appendWaiters.wakeAll()
        }
        let fileSystem = environment.fileSystem
        var tombstones: [String] = []
        for partition in removed {
            let tombstone = partition.log.directory + Self.tombstoneSuffix
            // One left by an earlier failed delete of a topic of the same name.
            if fileSystem.fileExists(atPath: tombstone) { try Self.removeTombstone(tombstone, fileSystem) }
            try fileSystem.renameDirectory(atPath: partition.log.directory, toPath: tombstone)
            tombstones.append(tombstone)
        }
        for tombstone in tombstones { try Self.removeTombstone(tombstone, fileSystem) }
        state.withLock { _ = $0.deleting.remove(topic) }
        logger.notice("deleted topic", metadata: ["topic": "\(topic)", "partitions": "\(removed.count)"])
        return true
    }

    /// What a deleted partition directory is renamed to. A partition directory's name ends in
    /// its number, so no tombstone is ever read as one (`parsePartitionDirectoryName`).
    static let tombstoneSuffix = ".deleted"

    /// Removes a tombstone: its files, then the directory.
    private static func removeTombstone(_ path: String, _ fileSystem: any FileSystem) throws {
        for name in try fileSystem.contentsOfDirectory(atPath: path) {
            try fileSystem.removeFile(atPath: "\(path)/\(name)")
        }
        try fileSystem.removeDirectory(atPath: path)
    }

    /// Removes the tombstones a failed or interrupted delete left; returns how many.
    private static func removeTombstones(in dataDirectory: String, _ fileSystem: any FileSystem) throws -> Int {
        let names = try fileSystem.contentsOfDirectory(atPath: dataDirectory).filter { $0.hasSuffix(tombstoneSuffix) }
        for name in names { try removeTombstone("\(dataDirectory)/\(name)", fileSystem) }
        return names.count
    }

    /// Why `topic` may not be created now, `nil` when it may.
    private func refusal(creating topic: String, partitionCount: Int, _ state: State) -> CreationError? {
        guard (try? SegmentFileName.partitionDirectoryName(topic: topic, partition: 0)) != nil else {
            return .invalidName(topic)
        }
        guard !state.deleting.contains(topic) else { return .beingDeleted }
        guard state.topics.count < maxTopics else { return .topicLimit(maxTopics) }
        guard state.partitionCount + partitionCount <= maxPartitions else { return .partitionLimit(maxPartitions) }
        return nil
    }

    /// Syncs and closes every partition log; later appends and reads fail with `.closed`.
    public func closeAll() {
        for partition in allPartitions {
            do {
                try partition.log.close()
            } catch {
                logger.error(
                    "closing a partition log failed",
                    metadata: ["path": "\(partition.log.directory)", "error": "\(error)"]
                )
            }
        }
    }
}
