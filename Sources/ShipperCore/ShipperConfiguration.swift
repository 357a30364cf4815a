import AccessRecord
import EdgelogConfiguration
import Foundation
import LogTailing

/// Everything the shipper needs to run, validated: what to tail, where to send it, and the
/// bounds it keeps. Built from the runtime configuration by `init(resolved:)`
/// (`ShipperConfiguration+Keys.swift` lists the keys) or directly by tests.
public struct ShipperConfiguration: Sendable {
    /// The files and globs to tail, each with its format and site label.
    public var sources: [LogSource]
    /// How files are tailed (`--start-at`, poll interval, longest line, rotation drain).
    public var tailer: TailerConfiguration
    /// The broker, `host:port`.
    public var broker: String
    /// The topic records go to; its partition count comes from the broker (auto-created there).
    public var topic: String
    /// Partitions to create the topic with when it is missing; 0: the broker's auto-creation.
    public var partitions: Int
    /// Where the per-file checkpoints live (DESIGN.md §10.3).
    public var checkpointDirectory: String
    /// The edge's name, written into every record (default: the host name).
    public var edgeName: String
    /// Largest uncompressed records section of one Kafka batch, and the file bytes after which
    /// a file's checkpoint group ends (see `ShipmentLedger`).
    public var batchBytes: Int
    /// Longest a record waits in an unfilled batch before the batch is sent anyway.
    public var linger: Duration
    /// Batches of one file and partition sent but not yet acknowledged; more wait.
    public var maxInFlightPerPartition: Int
    /// Bytes of open, waiting and in-flight batches above which the shipper stops reading: the
    /// log files are the buffer while the broker is slow or down.
    public var memoryLimit: Int
    /// Least time between two checkpoint writes of one file (each write costs two fsyncs).
    public var checkpointInterval: Duration
    /// Longest the shipper waits, after SIGTERM, for in-flight batches to be acknowledged.
    public var drainTimeout: Duration
    /// Cap of the exponential backoff (with jitter) between attempts to reach the broker.
    public var reconnectBackoffMax: Duration
    /// Tasks that parse, encode and compress lines in parallel (`EncodingPool`); at least 1.
    public var encoderTasks: Int
    /// LZ4 acceleration: 1 is `lz4 -1`; each step up trades compression ratio for speed
    /// (`lz4 --fast=N`). Measured on our records: 2 executes 4.4 % fewer instructions for 2.8 %
    /// more bytes, so the default stays 1.
    public var lz4Acceleration: Int
    /// How each record's message goes into its Kafka value: packed unless a reader downstream
    /// cannot unpack (`RecordValueEncoding`).
    public var recordEncoding: RecordValueEncoding

    public init(
        sources: [LogSource],
        tailer: TailerConfiguration = TailerConfiguration(),
        broker: String,
        topic: String = Keys.topic.defaultValue,
        partitions: Int = Keys.partitions.defaultInt,
        checkpointDirectory: String,
        edgeName: String,
        batchBytes: Int = Keys.batchBytes.defaultBytes,
        linger: Duration = Keys.linger.defaultDuration,
        maxInFlightPerPartition: Int = Keys.maxInFlight.defaultInt,
        memoryLimit: Int = Keys.memoryLimit.defaultBytes,
        checkpointInterval: Duration = Keys.checkpointInterval.defaultDuration,
        drainTimeout: Duration = ConfigurationKey.shutdownTimeout.defaultDuration * 4 / 5,
        reconnectBackoffMax: Duration = Keys.reconnectBackoffMax.defaultDuration,
        encoderTasks: Int = ShipperConfiguration.defaultEncoderTasks,
        lz4Acceleration: Int = Keys.lz4Acceleration.defaultInt,
        recordEncoding: RecordValueEncoding = RecordValueEncoding(rawValue: Keys.recordEncoding.defaultValue) ?? .packed
    ) {
        self.sources = sources
        self.tailer = tailer
        self.broker = broker
        self.topic = topic
        self.partitions = partitions
        self.checkpointDirectory = checkpointDirectory
        self.edgeName = edgeName
        self.batchBytes = batchBytes
        self.linger = linger
        self.maxInFlightPerPartition = maxInFlightPerPartition
        self.memoryLimit = memoryLimit
        self.checkpointInterval = checkpointInterval
        self.drainTimeout = drainTimeout
        self.reconnectBackoffMax = reconnectBackoffMax
        self.encoderTasks = encoderTasks
        self.lz4Acceleration = lz4Acceleration
        self.recordEncoding = recordEncoding
    }

    /// One encoder task per CPU core the process may use (a container's CPU quota included).
    public static var defaultEncoderTasks: Int { AvailableCores.count() }

    /// Checks the values that must fit together; every `files` format must compile.
    public func validate() throws(ShipperConfigurationError) {
        guard !sources.isEmpty else { throw ShipperConfigurationError(.noFiles) }
        for source in sources {
            _ = try SourceSpecification.logFormat(of: source)
        }
        guard batchBytes >= 4096, batchBytes <= 64 << 20 else {
            throw ShipperConfigurationError(
                .outOfRange(key: "batch-bytes", value: "\(batchBytes)", expected: "4KiB...64MiB")
            )
        }
        guard maxInFlightPerPartition >= 1 else {
            throw ShipperConfigurationError(
                .outOfRange(key: "max-in-flight", value: "\(maxInFlightPerPartition)", expected: "at least 1")
            )
        }
        guard memoryLimit >= 2 * batchBytes else {
            throw ShipperConfigurationError(
                .outOfRange(key: "memory-limit", value: "\(memoryLimit)", expected: "at least twice batch-bytes")
            )
        }
        guard reconnectBackoffMax >= .milliseconds(100) else {
            throw ShipperConfigurationError(
                .outOfRange(key: "reconnect-backoff-max", value: "\(reconnectBackoffMax)", expected: "at least 100ms")
            )
        }
        guard encoderTasks >= 1, encoderTasks <= 256 else {
            throw ShipperConfigurationError(
                .outOfRange(key: "encoders", value: "\(encoderTasks)", expected: "0 (one per core) or 1...256")
            )
        }
        guard (1...64).contains(lz4Acceleration) else {
            throw ShipperConfigurationError(
                .outOfRange(key: "lz4-acceleration", value: "\(lz4Acceleration)", expected: "1...64")
            )
        }
        guard !topic.isEmpty else {
            throw ShipperConfigurationError(.outOfRange(key: "topic", value: "\"\"", expected: "a topic name"))
        }
        guard (0...Int(Int32.max)).contains(partitions) else {
            throw ShipperConfigurationError(.outOfRange(key: "partitions", value: "\(partitions)", expected: "0 or more"))
        }
    }
}
