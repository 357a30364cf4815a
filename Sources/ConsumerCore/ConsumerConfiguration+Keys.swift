import EdgelogConfiguration
import Foundation

/// The consumer's settings as runtime configuration keys: each is a flag (`--flush-interval`),
/// an environment variable (`EDGELOG_FLUSH_INTERVAL`), a config-file key and a default, resolved
/// by EdgelogRuntime with the shared precedence and shown by `--print-config`.
extension ConsumerConfiguration {
    public enum Keys {
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
            help: "Topic to consume (the shipper's topic)."
        )
        public static let shards = ConfigurationKey(
            "shards",
            kind: .list,
            default: "",
            help: "libpq connection strings of the shard databases, comma-separated (a JSON array in the config "
                + "file); the position in the list is the shard id, so never reorder it. Shown redacted.",
            isSecret: true
        )
        public static let partitions = ConfigurationKey(
            "partitions",
            kind: .list,
            default: "",
            help: "Partitions to consume, comma-separated (empty: every partition of the topic)."
        )
        public static let flushInterval = ConfigurationKey(
            "flush-interval",
            kind: .duration,
            default: "1s",
            help: "How often aggregates are written: one transaction per shard, with the progress."
        )
        public static let lateness = ConfigurationKey(
            "lateness",
            kind: .duration,
            default: "1h",
            help: "Requests older than the partition's newest request time minus this are counted as rejected-late."
        )
        public static let group = ConfigurationKey(
            "group",
            kind: .string,
            default: "edgelog-consumer",
            help: "Kafka consumer group. Given explicitly (flag, environment or file) and without --partitions, the "
                + "consumer joins it and takes its partitions from the group's assignment: consumers with the same "
                + "group split the partitions and take over those of a member that dies. Left at its default, or "
                + "with --partitions, the consumer reads its static partitions and only commits its progress "
                + "(minimum over shards) under this group, for lag tools and retention."
        )
        public static let groupSessionTimeout = ConfigurationKey(
            "group-session-timeout",
            kind: .duration,
            default: "10s",
            help: "In a consumer group: silence after which the broker drops a member and gives its partitions "
                + "to the others (how long a killed consumer's partitions wait). Heartbeats go every third of it."
        )
        public static let maxPendingRows = ConfigurationKey(
            "max-pending-rows",
            kind: .int,
            default: "200000",
            help: "Unwritten (minute, site) rows above which fetching pauses (a shard that is down holds its rows in memory)."
        )
        public static let fetchMaxBytes = ConfigurationKey(
            "fetch-max-bytes",
            kind: .bytes,
            default: "4MiB",
            help: "Largest Fetch answer per partition."
        )
        public static let retryBackoffMax = ConfigurationKey(
            "retry-backoff-max",
            kind: .duration,
            default: "5s",
            help: "Longest wait between attempts to reach a shard or the broker (exponential from 100ms, with jitter)."
        )
        public static let minuteRetention = ConfigurationKey(
            "minute-retention",
            kind: .duration,
            default: "30d",
            help: "Minute rows older than this are dropped, a whole day partition at a time, once an hour "
                + "(hour and day rows stay). 0 keeps them forever."
        )
        public static let siteCap = ConfigurationKey(
            "site-cap",
            kind: .int,
            default: "10000",
            help: "Sites per minute that get rows of their own; the rest are counted under '(other)' and in the "
                + "audit's folded_lines ($host is attacker-controlled). 0: no cap."
        )
        public static let sketches = ConfigurationKey(
            "sketches",
            kind: .bool,
            default: "true",
            help: "Unique client IPs (hll) and top client IPs and paths per (minute, site). Off: counters only."
        )
        public static let detectAttacks = ConfigurationKey(
            "detect-attacks",
            kind: .bool,
            default: "true",
            help: "Classify each request as SQL injection, XSS, path traversal or scanner (attacks_* counters, "
                + "top talkers' attack counts, sampled requests). Off: those stay empty."
        )
        public static let attackSamples = ConfigurationKey(
            "attack-samples",
            kind: .int,
            default: "5",
            help: "Classified requests kept per (minute, site, class) and shard, for analysts to see what was "
                + "caught. 0: counts only."
        )
        public static let commitDelay = ConfigurationKey(
            "commit-delay",
            kind: .duration,
            default: "0s",
            help: "Testing only: how long each shard transaction stays open before COMMIT (crash tests). Keep 0."
        )

        /// The consumer's `/metrics` port: 9102 (the shipper has 9100, the broker 9101), so all
        /// three can run on one collector host.
        public static let metricsPort = ConfigurationKey.metricsPort.withDefault("9102")

        /// Every consumer key, for `RuntimeProcess.start(label:options:keys:flags:)`.
        public static let all: [ConfigurationKey] = [
            broker, topic, shards, partitions, flushInterval, lateness, group, maxPendingRows, fetchMaxBytes,
            retryBackoffMax, minuteRetention, siteCap, sketches, detectAttacks, attackSamples, commitDelay,
            groupSessionTimeout, metricsPort,
        ]
    }

    /// The `site-cap` setting as a cap: 0 means none (`validate` refuses a negative one).
    public static func siteCap(_ value: Int) -> Int? { value == 0 ? nil : value }

    /// Reads every consumer key from resolved settings and validates the result.
    public init(resolved: ResolvedConfiguration) throws {
        let partitionTexts = try resolved.list(Keys.partitions)
        var partitions: [Int32]?
        if !partitionTexts.isEmpty {
            partitions = try partitionTexts.map { text throws(ConsumerConfigurationError) -> Int32 in
                guard let value = Int32(text.trimmingCharacters(in: .whitespaces)) else {
                    throw .invalid("partitions", "'\(text)' is not a partition number")
                }
                return value
            }
        }
        self.init(
            broker: try resolved.string(Keys.broker),
            topic: try resolved.string(Keys.topic),
            shards: try resolved.list(Keys.shards).map { $0.trimmingCharacters(in: .whitespaces) },
            partitions: partitions,
            flushInterval: try resolved.duration(Keys.flushInterval),
            lateness: try resolved.duration(Keys.lateness),
            group: try resolved.string(Keys.group),
            maxPendingRows: try resolved.int(Keys.maxPendingRows),
            fetchMaxBytes: try resolved.bytes(Keys.fetchMaxBytes),
            retryBackoffMax: try resolved.duration(Keys.retryBackoffMax),
            minuteRetention: try resolved.duration(Keys.minuteRetention),
            siteCap: Self.siteCap(try resolved.int(Keys.siteCap)),
            sketches: try resolved.bool(Keys.sketches),
            detectAttacks: try resolved.bool(Keys.detectAttacks),
            attackSamples: try resolved.int(Keys.attackSamples),
            commitDelay: try resolved.duration(Keys.commitDelay),
            joinsGroup: try resolved.source(of: Keys.group) != .default && partitions == nil,
            groupSessionTimeout: try resolved.duration(Keys.groupSessionTimeout)
        )
        try validate()
    }
}
