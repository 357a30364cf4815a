import AccessRecord
import EdgelogConfiguration
import Foundation
import LogTailing

/// The shipper's settings as runtime configuration keys: each is a flag (`--batch-bytes`), an
/// environment variable (`EDGELOG_BATCH_BYTES`), a config-file key and a default, resolved by
/// EdgelogRuntime with the shared precedence and shown by `--print-config`.
extension ShipperConfiguration {
    public enum Keys {
        public static let files = ConfigurationKey(
            "files",
            kind: .list,
            default: "",
            help: "Files and globs to tail, comma-separated (a JSON array in the config file), each "
                + "path[:format-name][@site]; format-name is combined or edge."
        )
        public static let format = ConfigurationKey(
            "format",
            kind: .string,
            default: "combined",
            help: "log_format of files that name none: combined, edge, or an nginx log_format text."
        )
        public static let siteLabel = ConfigurationKey(
            "site-label",
            kind: .string,
            default: "",
            help: "Site of every line of files without @site, for formats without $host; it comes before $http_host and $server_name (empty: none)."
        )
        public static let startAt = ConfigurationKey(
            "start-at",
            kind: .choice(StartPosition.allCases.map(\.rawValue)),
            default: "beginning",
            help: "Where files that exist at the very first start begin: beginning or end."
        )
        public static let broker = ConfigurationKey(
            "broker",
            kind: .string,
            default: "127.0.0.1:9092",
            help: "The broker, host:port."
        )
        public static let topic = ConfigurationKey(
            "topic",
            kind: .string,
            default: "edgelog.requests",
            help: "Topic the records go to (auto-created by the broker with its default partition count, "
                + "unless partitions is set)."
        )
        public static let partitions = ConfigurationKey(
            "partitions",
            kind: .int,
            default: "0",
            help: "Partitions to create the topic with when it does not exist (CreateTopics); 0: leave it to "
                + "the broker's auto-creation. An existing topic keeps its count (a difference is logged)."
        )
        public static let checkpointDirectory = ConfigurationKey(
            "checkpoint-dir",
            kind: .string,
            default: "/var/lib/edgelog/shipper",
            help: "Directory of the per-file checkpoints."
        )
        public static let edgeName = ConfigurationKey(
            "edge-name",
            kind: .string,
            default: "",
            help: "This edge's name in every record (empty: the host name)."
        )
        public static let batchBytes = ConfigurationKey(
            "batch-bytes",
            kind: .bytes,
            default: "1MiB",
            help: "Largest uncompressed batch; also the file bytes per checkpoint group."
        )
        public static let linger = ConfigurationKey(
            "linger",
            kind: .duration,
            default: "100ms",
            help: "Longest a record waits for its batch to fill."
        )
        public static let maxInFlight = ConfigurationKey(
            "max-in-flight",
            kind: .int,
            default: "5",
            help: "Unacknowledged batches per file and partition."
        )
        public static let memoryLimit = ConfigurationKey(
            "memory-limit",
            kind: .bytes,
            default: "64MiB",
            help: "Bytes of batches (open, waiting, in flight) above which reading stops."
        )
        public static let maxLineBytes = ConfigurationKey(
            "max-line-bytes",
            kind: .bytes,
            default: SettingText.bytes(TailerConfiguration().maxLineBytes),
            help: "Longest line shipped whole; longer lines are cut and flagged truncated."
        )
        public static let pollInterval = ConfigurationKey(
            "poll-interval",
            kind: .duration,
            default: SettingText.duration(TailerConfiguration().pollInterval),
            help: "Time between looks for new, rotated, truncated and deleted files."
        )
        public static let drainIdle = ConfigurationKey(
            "drain-idle",
            kind: .duration,
            default: SettingText.duration(TailerConfiguration().drainIdle),
            help: "How long a rotated or deleted file must stay idle, read to its end, before it is closed."
        )
        public static let deletedFileGrace = ConfigurationKey(
            "deleted-file-grace",
            kind: .duration,
            default: SettingText.duration(TailerConfiguration().deletedFileGrace),
            help: "Longest a deleted (unlinked) file is held open to be read to its end; an open file keeps its disk "
                + "space, so after this its unread rest is counted lost (deleted_unread). Raise it to ride out a "
                + "broker outage or a backlog across a logrotate that deletes files at once (compress without delaycompress)."
        )
        public static let missingFileExpiry = ConfigurationKey(
            "missing-file-expiry",
            kind: .duration,
            default: SettingText.duration(TailerConfiguration().missingFileExpiry),
            help: "How long a checkpoint whose file is not found (directory unreadable, file moved away) is kept, "
                + "and the file looked for at every poll, before its unread rest is counted lost."
        )
        public static let checkpointInterval = ConfigurationKey(
            "checkpoint-interval",
            kind: .duration,
            default: "200ms",
            help: "Least time between two checkpoint writes of one file."
        )
        public static let reconnectBackoffMax = ConfigurationKey(
            "reconnect-backoff-max",
            kind: .duration,
            default: "5s",
            help: "Longest wait between attempts to reach the broker (exponential backoff from 100ms, with jitter)."
        )
        public static let encoders = ConfigurationKey(
            "encoders",
            kind: .int,
            default: "0",
            help: "Tasks that parse, encode and compress lines in parallel (0: one per CPU core, within a container's CPU quota)."
        )
        public static let lz4Acceleration = ConfigurationKey(
            "lz4-acceleration",
            kind: .int,
            default: "1",
            help: "LZ4 speed: 1 is lz4 -1; higher trades compression for speed (on our records 2 saves 4% of LZ4's work for 3% more bytes)."
        )
        public static let recordEncoding = ConfigurationKey(
            "record-encoding",
            kind: .choice(RecordValueEncoding.allCases.map(\.rawValue)),
            default: RecordValueEncoding.packed.rawValue,
            help: "How each record's Cap'n Proto message is written: packed (half the bytes; capnp decode --packed) "
                + "or unpacked (for readers that cannot unpack; edgelog's consumer reads both)."
        )

        /// Every shipper key, for `RuntimeOptions.resolve(keys:flags:environment:)`.
        public static let all: [ConfigurationKey] = [
            files, format, siteLabel, startAt, broker, topic, partitions, checkpointDirectory, edgeName, batchBytes, linger,
            maxInFlight, memoryLimit, maxLineBytes, pollInterval, drainIdle, deletedFileGrace, missingFileExpiry, checkpointInterval,
            reconnectBackoffMax, encoders, lz4Acceleration, recordEncoding,
        ]
    }

    /// Reads every shipper key from resolved settings and validates the result.
    /// - Parameter drainTimeout: how long SIGTERM may wait for acknowledgements (the runtime's
    ///   `shutdown-timeout`, less a margin for the final checkpoints).
    public init(resolved: ResolvedConfiguration, drainTimeout: Duration) throws {
        let label = try resolved.string(Keys.siteLabel)
        let defaultFormat = try resolved.string(Keys.format)
        var sources: [LogSource] = []
        for entry in try resolved.list(Keys.files) {
            sources.append(
                try SourceSpecification.parse(
                    entry,
                    defaultFormat: defaultFormat,
                    defaultSite: label.isEmpty ? nil : label
                )
            )
        }
        let startAt = StartPosition(rawValue: try resolved.string(Keys.startAt)) ?? .beginning
        let tailer = TailerConfiguration(
            startAt: startAt,
            pollInterval: try resolved.duration(Keys.pollInterval),
            drainIdle: try resolved.duration(Keys.drainIdle),
            deletedFileGrace: try resolved.duration(Keys.deletedFileGrace),
            missingFileExpiry: try resolved.duration(Keys.missingFileExpiry),
            maxLineBytes: try resolved.bytes(Keys.maxLineBytes)
        )
        let encoders = try resolved.int(Keys.encoders)
        var edge = try resolved.string(Keys.edgeName)
        if edge.isEmpty { edge = ProcessInfo.processInfo.hostName }
        self.init(
            sources: sources,
            tailer: tailer,
            broker: try resolved.string(Keys.broker),
            topic: try resolved.string(Keys.topic),
            partitions: try resolved.int(Keys.partitions),
            checkpointDirectory: try resolved.string(Keys.checkpointDirectory),
            edgeName: edge,
            batchBytes: try resolved.bytes(Keys.batchBytes),
            linger: try resolved.duration(Keys.linger),
            maxInFlightPerPartition: try resolved.int(Keys.maxInFlight),
            memoryLimit: try resolved.bytes(Keys.memoryLimit),
            checkpointInterval: try resolved.duration(Keys.checkpointInterval),
            drainTimeout: drainTimeout,
            reconnectBackoffMax: try resolved.duration(Keys.reconnectBackoffMax),
            encoderTasks: encoders == 0 ? ShipperConfiguration.defaultEncoderTasks : encoders,
            lz4Acceleration: try resolved.int(Keys.lz4Acceleration),
            recordEncoding: RecordValueEncoding(rawValue: try resolved.string(Keys.recordEncoding)) ?? .packed
        )
        try validate()
    }
}
