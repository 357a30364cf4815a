import FileStorage
import Synchronization
import KafkaProtocol
import Logging
import SegmentStore

/// The topics this broker holds and the open log of each of their partitions.
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

        public var description: String {
            switch self {
            case .invalidName(let name): "illegal topic name \(String(reflecting: name))"
            case .topicLimit(let limit): "max-topics (\(limit)) reached"
            case .partitionLimit(let limit): "max-partitions (\(limit)) reached"
            case .autoCreateDisabled: "auto-create-topics is off"
            case .storage(let reason): "cannot create partition logs: \(reason)"
            }
        }
    }

    struct State {
        var topics: [String: [PartitionLog]] = [:]
        var partitionCount = 0
    }

    /// Name of the CRC-32C check recovery and appends run on every batch.
    public static let crcValidator = BatchValidator { raw in
        do {
            try RecordBatch.validate(raw)
            return true
        } catch {
            return false
        }
    }

    public let dataDirectory: String
    private let fileSystem: any FileSystem
    private let logConfiguration: PartitionLogConfiguration
    private let maxTopics: Int
    private let maxPartitions: Int
    private let clock: WallClock
    private let logger: Logger
    private let state: Mutex<State>

    /// Opens every partition directory under `dataDirectory` (creating the directory if needed).
    public init(
        dataDirectory: String,
        fileSystem: any FileSystem,
        logConfiguration: PartitionLogConfiguration,
        maxTopics: Int,
        maxPartitions: Int,
        clock: WallClock = .system,
        logger: Logger
    ) throws {
        self.dataDirectory = dataDirectory
        self.fileSystem = fileSystem
        self.logConfiguration = logConfiguration
        self.maxTopics = maxTopics
        self.maxPartitions = maxPartitions
        self.clock = clock
        self.logger = logger
        try fileSystem.createDirectory(atPath: dataDirectory)
        var found: [String: Set<Int32>] = [:]
        for name in try fileSystem.contentsOfDirectory(atPath: dataDirectory) {
            guard let (topic, partition) = SegmentFileName.parsePartitionDirectoryName(name) else { continue }
            found[topic, default: []].insert(partition)
        }
        var state = State()
        for (topic, partitions) in found.sorted(by: { $0.key < $1.key }) {
            let count = Int(partitions.max() ?? 0) + 1
            let logs = try (0..<count).map { index in
                try Self.openLog(topic, Int32(index), dataDirectory, fileSystem, logConfiguration, clock, logger)
            }
            state.topics[topic] = logs
            state.partitionCount += logs.count
            for (index, log) in logs.enumerated() where log.recoveryReport.truncatedBytes > 0 {
                logger.warning(
                    "cut the log at its first bad batch at start-up",
                    metadata: [
                        "topic": "\(topic)", "partition": "\(index)",
                        "truncated-bytes": "\(log.recoveryReport.truncatedBytes)",
                        "removed-segments": "\(log.recoveryReport.removedSegments.count)",
                        "validated-from-offset": "\(log.recoveryReport.validatedFromOffset)",
                        "reason": "\(log.recoveryReport.truncationReason ?? "")",
                    ]
                )
            }
        }
        if state.topics.count > maxTopics || state.partitionCount > maxPartitions {
            logger.warning(
                "the data directory holds more topics or partitions than the limits allow; no new ones will be created",
                metadata: ["topics": "\(state.topics.count)", "partitions": "\(state.partitionCount)"]
            )
        }
        self.state = Mutex(state)
    }

    private static func openLog(
        _ topic: String,
        _ partition: Int32,
        _ dataDirectory: String,
        _ fileSystem: any FileSystem,
        _ configuration: PartitionLogConfiguration,
        _ clock: WallClock,
        _ logger: Logger
    ) throws -> PartitionLog {
        let name = try SegmentFileName.partitionDirectoryName(topic: topic, partition: partition)
        var logger = logger
        logger[metadataKey: "topic"] = "\(topic)"
        logger[metadataKey: "partition"] = "\(partition)"
        return try PartitionLog(
            directory: "\(dataDirectory)/\(name)",
            fileSystem: fileSystem,
            configuration: configuration,
            validator: crcValidator,
            clock: clock,
            logger: logger
        )
    }

    /// The partitions of `topic`, `nil` when it does not exist.
    public func partitions(of topic: String) -> [PartitionLog]? {
        state.withLock { $0.topics[topic] }
    }

    /// One partition's log, `nil` when the topic or partition does not exist.
    public func partition(_ topic: String, _ index: Int32) -> PartitionLog? {
        state.withLock { state in
            guard let logs = state.topics[topic], index >= 0, Int(index) < logs.count else { return nil }
            return logs[Int(index)]
        }
    }

    /// Every topic with its partition count, sorted by name.
    public var topics: [(name: String, partitionCount: Int)] {
        state.withLock { state in
            state.topics.keys.sorted().map { ($0, state.topics[$0]?.count ?? 0) }
        }
    }

    /// The partitions of `topic`, creating it with `partitionCount` partitions when it does not
    /// exist. Does file I/O when it creates: call it off the event loop.
    public func partitions(of topic: String, creatingWith partitionCount: Int) throws(CreationError) -> [PartitionLog] {
        let result: Result<[PartitionLog], CreationError> = state.withLock { state in
            if let logs = state.topics[topic] { return .success(logs) }
            guard (try? SegmentFileName.partitionDirectoryName(topic: topic, partition: 0)) != nil else {
                return .failure(.invalidName(topic))
            }
            guard state.topics.count < maxTopics else { return .failure(.topicLimit(maxTopics)) }
            guard state.partitionCount + partitionCount <= maxPartitions else {
                return .failure(.partitionLimit(maxPartitions))
            }
            var logs: [PartitionLog] = []
            do {
                for index in 0..<partitionCount {
                    logs.append(
                        try Self.openLog(
                            topic, Int32(index), dataDirectory, fileSystem, logConfiguration, clock, logger)
                    )
                }
            } catch {
                for log in logs { try? log.close() }
                return .failure(.storage("\(error)"))
            }
            state.topics[topic] = logs
            state.partitionCount += logs.count
            logger.info("created topic", metadata: ["topic": "\(topic)", "partitions": "\(partitionCount)"])
            return .success(logs)
        }
        return try result.get()
    }

    /// Syncs and closes every partition log; later appends and reads fail with `.closed`.
    public func closeAll() {
        let logs = state.withLock { $0.topics.values.flatMap { $0 } }
        for log in logs {
            do {
                try log.close()
            } catch {
                logger.error(
                    "closing a partition log failed",
                    metadata: ["path": "\(log.directory)", "error": "\(error)"]
                )
            }
        }
    }
}
