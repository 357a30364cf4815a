import EdgelogConfiguration

/// The broker's settings as runtime configuration keys: each is a flag (`--listen-host`), an
/// environment variable (`EDGELOG_LISTEN_HOST`), a config-file key and a default, resolved by
/// EdgelogRuntime with the shared precedence and shown by `--print-config`.
extension BrokerConfiguration {
    public enum Keys {
        public static let listenHost = ConfigurationKey(
            "listen-host",
            kind: .string,
            default: "127.0.0.1",
            help: "Address the Kafka listener binds to (loopback unless told otherwise; 0.0.0.0 for all)."
        )
        public static let port = ConfigurationKey(
            "port",
            kind: .port,
            default: "9092",
            help: "TCP port of the Kafka listener (0 = any free port; the bound port is logged)."
        )
        public static let advertisedHost = ConfigurationKey(
            "advertised-host",
            kind: .string,
            default: "",
            help: "Host clients are told to connect to in Metadata (default: listen-host)."
        )
        public static let dataDirectory = ConfigurationKey(
            "data-dir",
            kind: .string,
            default: "/var/lib/edgelog/broker",
            help: "Directory of the partition logs, cluster id, producer ids and committed offsets."
        )
        public static let defaultPartitions = ConfigurationKey(
            "default-partitions",
            kind: .int,
            default: "1",
            help: "Partitions of an auto-created topic."
        )
        public static let autoCreateTopics = ConfigurationKey(
            "auto-create-topics",
            kind: .bool,
            default: "true",
            help: "Create unknown topics on Metadata and Produce."
        )
        public static let maxTopics = ConfigurationKey(
            "max-topics",
            kind: .int,
            default: "1000",
            help: "Most topics the broker creates."
        )
        public static let maxPartitions = ConfigurationKey(
            "max-partitions",
            kind: .int,
            default: "10000",
            help: "Most partitions over all topics."
        )
        public static let maxRequestBytes = ConfigurationKey(
            "max-request-bytes",
            kind: .bytes,
            default: "100MiB",
            help: "Largest request accepted; a larger one closes its connection."
        )
        public static let allowNetworks = ConfigurationKey(
            "allow-networks",
            kind: .list,
            default: "",
            help: "Comma-separated CIDR networks allowed to connect (empty: all); others are closed at accept."
        )
        public static let maxConnections = ConfigurationKey(
            "max-connections",
            kind: .int,
            default: "1024",
            help: "Most simultaneous client connections."
        )
        public static let maxInFlightRequests = ConfigurationKey(
            "max-in-flight-requests",
            kind: .int,
            default: "256",
            help: "Unanswered requests per connection before the broker stops reading from it."
        )
        public static let maxFetchBytes = ConfigurationKey(
            "max-fetch-bytes",
            kind: .bytes,
            default: "50MiB",
            help: "Most record bytes in one Fetch response."
        )
        public static let maxFetchWait = ConfigurationKey(
            "max-fetch-wait",
            kind: .duration,
            default: "30s",
            help: "Longest a Fetch is held waiting for data, whatever the client asks."
        )
        public static let maxGroups = ConfigurationKey(
            "max-groups",
            kind: .int,
            default: "1000",
            help: "Most consumer groups with committed offsets."
        )
        public static let brokerID = ConfigurationKey(
            "broker-id",
            kind: .int,
            default: "0",
            help: "This broker's id in Metadata and in the cluster map."
        )
        public static let clusterMap = ConfigurationKey(
            "cluster-map",
            kind: .string,
            default: "",
            help: "Several brokers without replication: <id>=<host>:<port>,... (every broker started with the "
                + "same map; partition p is led by the (p mod n)-th broker by id; the lowest id coordinates "
                + "groups). Empty: this broker alone."
        )
        public static let clusterID = ConfigurationKey(
            "cluster-id",
            kind: .string,
            default: "",
            help: "The cluster id to create the data directory with (the same on every broker of a cluster map); "
                + "a data directory holding another one is refused. Empty: generated at first start."
        )
        public static let adminRequests = ConfigurationKey(
            "admin-requests",
            kind: .string,
            default: "create",
            help: "Which admin requests are answered: create (CreateTopics and DeleteGroups of groups "
                + "without members), all (DeleteTopics as well) or off (all three refused)."
        )
        public static let segmentBytes = ConfigurationKey(
            "segment-bytes",
            kind: .bytes,
            default: "1GiB",
            help: "Segment size at which a partition log rolls to a new segment."
        )
        public static let maxBatchBytes = ConfigurationKey(
            "max-batch-bytes",
            kind: .bytes,
            default: "1048588",
            help: "Largest record batch accepted."
        )
        public static let storageThreads = ConfigurationKey(
            "storage-threads",
            kind: .int,
            default: "4",
            help: "Threads doing disk I/O off the network event loops."
        )
        public static let fsync = ConfigurationKey(
            "fsync",
            kind: .choice(DurabilityPolicy.keyWords),
            default: "ack",
            help: "When logs are fsynced: ack (before every acknowledgement, with group commit; "
                + "the only exactly-once mode), interval (every fsync-interval; a crash loses up to that "
                + "much acknowledged data), never (at segment roll and shutdown only; no exactly-once)."
        )
        public static let fsyncInterval = ConfigurationKey(
            "fsync-interval",
            kind: .duration,
            default: "1s",
            help: "Time between fsyncs with fsync=interval."
        )
        public static let retention = ConfigurationKey(
            "retention",
            kind: .duration,
            default: "24h",
            help: "Delete segments last appended to longer ago than this (0 = keep by age forever); "
                + "never above a group's committed offset. Producer state is kept at least this long, "
                + "and while any batch of the producer is still in the log."
        )
        public static let retentionBytes = ConfigurationKey(
            "retention-bytes",
            kind: .bytes,
            default: "0",
            help: "Delete a partition's oldest segments while it holds more than this (0 = no limit)."
        )
        public static let diskLimitBytes = ConfigurationKey(
            "disk-limit-bytes",
            kind: .bytes,
            default: "0",
            help: "Most bytes all partitions may hold; above it the oldest segments are deleted even "
                + "if unconsumed, counted as a loss (0 = no limit)."
        )
        public static let retentionCheckInterval = ConfigurationKey(
            "retention-check-interval",
            kind: .duration,
            default: "5m",
            help: "How often retention runs."
        )
        /// The broker's own default `/metrics` port (the runtime's 9100 is the shipper's).
        public static let metricsPort = ConfigurationKey.metricsPort.withDefault("9101")

        /// Every broker key, for ``RuntimeOptions/resolve(keys:flags:environment:)``.
        public static let all: [ConfigurationKey] = [
            listenHost, port, advertisedHost, dataDirectory, defaultPartitions, autoCreateTopics, maxTopics,
            maxPartitions, maxRequestBytes, allowNetworks, maxConnections, maxInFlightRequests, maxFetchBytes,
            maxFetchWait, maxGroups, brokerID, clusterMap, clusterID, adminRequests, segmentBytes, maxBatchBytes, storageThreads, fsync, fsyncInterval, retention,
            retentionBytes, diskLimitBytes, retentionCheckInterval, metricsPort,
        ]
    }

    /// Reads every broker key from resolved settings and validates the result.
    /// - Throws: `ConfigurationError` for a key that was not declared, ``BrokerError`` for values
    ///   that do not fit together (or an `allow-networks` entry that is not CIDR).
    public init(resolved: ResolvedConfiguration) throws {
        let advertised = try resolved.string(Keys.advertisedHost)
        var networks: [ClientNetwork] = []
        for entry in try resolved.list(Keys.allowNetworks) { networks.append(try ClientNetwork(entry)) }
        func milliseconds(_ key: ConfigurationKey) throws -> Int64 {
            let (seconds, attoseconds) = try resolved.duration(key).components
            return seconds * 1000 + attoseconds / 1_000_000_000_000_000
        }
        let fsyncWord = try resolved.string(Keys.fsync)
        guard
            let durability = DurabilityPolicy(
                word: fsyncWord, intervalMilliseconds: try milliseconds(Keys.fsyncInterval))
        else {
            throw BrokerError(code: .invalidConfiguration, message: "fsync \(fsyncWord) is not ack, interval or never")
        }
        let wait = try resolved.duration(Keys.maxFetchWait).components
        self.init(
            listenHost: try resolved.string(Keys.listenHost),
            port: try resolved.int(Keys.port),
            advertisedHost: advertised.isEmpty ? nil : advertised,
            dataDirectory: try resolved.string(Keys.dataDirectory),
            defaultPartitions: try resolved.int(Keys.defaultPartitions),
            autoCreateTopics: try resolved.bool(Keys.autoCreateTopics),
            maxTopics: try resolved.int(Keys.maxTopics),
            maxPartitions: try resolved.int(Keys.maxPartitions),
            maxRequestBytes: try resolved.bytes(Keys.maxRequestBytes),
            allowedNetworks: networks,
            maxConnections: try resolved.int(Keys.maxConnections),
            maxInFlightRequestsPerConnection: try resolved.int(Keys.maxInFlightRequests),
            maxFetchResponseBytes: try resolved.bytes(Keys.maxFetchBytes),
            maxFetchWaitMilliseconds: wait.seconds * 1000 + wait.attoseconds / 1_000_000_000_000_000,
            maxGroups: try resolved.int(Keys.maxGroups),
            segmentBytes: try resolved.bytes(Keys.segmentBytes),
            maxBatchBytes: try resolved.bytes(Keys.maxBatchBytes),
            storageThreads: try resolved.int(Keys.storageThreads),
            durability: durability,
            retentionMilliseconds: try milliseconds(Keys.retention),
            retentionBytes: Int64(try resolved.bytes(Keys.retentionBytes)),
            diskLimitBytes: Int64(try resolved.bytes(Keys.diskLimitBytes)),
            retentionCheckIntervalMilliseconds: try milliseconds(Keys.retentionCheckInterval)
        )
        nodeID = Int32(clamping: try resolved.int(Keys.brokerID))
        let map = try resolved.string(Keys.clusterMap)
        clusterMap = map.isEmpty ? nil : try ClusterMap(parsing: map)
        let id = try resolved.string(Keys.clusterID)
        clusterID = id.isEmpty ? nil : id
        let admin = try resolved.string(Keys.adminRequests)
        guard let answered = AdminRequests(rawValue: admin) else {
            throw BrokerError(code: .invalidConfiguration, message: "admin-requests \(admin) is not create, all or off")
        }
        adminRequests = answered
        try validate()
    }
}
