import EdgelogConfiguration
import ArgumentParser
import BrokerCore
import EdgelogRuntime

/// `edgelog-broker`: the Kafka-protocol broker. Argument parsing and wiring only: the settings
/// resolve through EdgelogRuntime (flags > environment > file > defaults, `--print-config`),
/// the work is `BrokerCore.BrokerService`.
@main
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-broker",
        abstract: "Kafka-protocol broker: partitioned, durable logs for edgelog shippers and consumers.",
        discussion: "Settings (flag, environment variable, or key in the --config file):\n\n"
            + ConfigurationKey.documentation(for: ConfigurationKey.runtimeKeys + BrokerConfiguration.Keys.all)
    )

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .customLong("listen-host"), help: "Address to listen on (default 127.0.0.1).")
    var listenHost: String?
    @Option(name: .customLong("port"), help: "Kafka port (default 9092; 0 = any free port).")
    var port: String?
    @Option(name: .customLong("advertised-host"), help: "Host advertised to clients (default: listen-host).")
    var advertisedHost: String?
    @Option(name: .customLong("data-dir"), help: "Data directory.")
    var dataDirectory: String?
    @Option(name: .customLong("default-partitions"), help: "Partitions of an auto-created topic (default 1).")
    var defaultPartitions: String?
    @Option(name: .customLong("auto-create-topics"), help: "Create unknown topics on first use (default true).")
    var autoCreateTopics: String?
    @Option(name: .customLong("max-topics"), help: "Most topics (default 1000).")
    var maxTopics: String?
    @Option(name: .customLong("max-partitions"), help: "Most partitions over all topics (default 10000).")
    var maxPartitions: String?
    @Option(name: .customLong("max-request-bytes"), help: "Largest request (default 100MiB).")
    var maxRequestBytes: String?
    @Option(name: .customLong("allow-networks"), help: "CIDR networks allowed to connect, comma-separated.")
    var allowNetworks: String?
    @Option(name: .customLong("max-connections"), help: "Most client connections (default 1024).")
    var maxConnections: String?
    @Option(name: .customLong("max-in-flight-requests"), help: "Unanswered requests per connection (default 256).")
    var maxInFlightRequests: String?
    @Option(name: .customLong("max-fetch-bytes"), help: "Most record bytes per Fetch response (default 50MiB).")
    var maxFetchBytes: String?
    @Option(name: .customLong("max-fetch-wait"), help: "Longest Fetch long-poll (default 30s).")
    var maxFetchWait: String?
    @Option(name: .customLong("max-groups"), help: "Most consumer groups with committed offsets (default 1000).")
    var maxGroups: String?
    @Option(name: .customLong("segment-bytes"), help: "Segment roll size (default 1GiB).")
    var segmentBytes: String?
    @Option(name: .customLong("max-batch-bytes"), help: "Largest record batch (default 1048588).")
    var maxBatchBytes: String?
    @Option(name: .customLong("storage-threads"), help: "Disk I/O threads (default 4).")
    var storageThreads: String?
    @Option(name: .customLong("fsync"), help: "ack (default, exactly-once), interval or never.")
    var fsync: String?
    @Option(name: .customLong("fsync-interval"), help: "Time between fsyncs with --fsync interval (default 1s).")
    var fsyncInterval: String?
    @Option(name: .customLong("retention"), help: "Segment age retention (default 24h; 0 = forever).")
    var retention: String?
    @Option(name: .customLong("retention-bytes"), help: "Per-partition size retention (default 0 = none).")
    var retentionBytes: String?
    @Option(name: .customLong("disk-limit-bytes"), help: "Most bytes over all partitions (default 0 = none).")
    var diskLimitBytes: String?
    @Option(name: .customLong("retention-check-interval"), help: "How often retention runs (default 5m).")
    var retentionCheckInterval: String?

    private var flags: [String: String?] {
        typealias Keys = BrokerConfiguration.Keys
        return [
            Keys.listenHost.name: listenHost,
            Keys.port.name: port,
            Keys.advertisedHost.name: advertisedHost,
            Keys.dataDirectory.name: dataDirectory,
            Keys.defaultPartitions.name: defaultPartitions,
            Keys.autoCreateTopics.name: autoCreateTopics,
            Keys.maxTopics.name: maxTopics,
            Keys.maxPartitions.name: maxPartitions,
            Keys.maxRequestBytes.name: maxRequestBytes,
            Keys.allowNetworks.name: allowNetworks,
            Keys.maxConnections.name: maxConnections,
            Keys.maxInFlightRequests.name: maxInFlightRequests,
            Keys.maxFetchBytes.name: maxFetchBytes,
            Keys.maxFetchWait.name: maxFetchWait,
            Keys.maxGroups.name: maxGroups,
            Keys.segmentBytes.name: segmentBytes,
            Keys.maxBatchBytes.name: maxBatchBytes,
            Keys.storageThreads.name: storageThreads,
            Keys.fsync.name: fsync,
            Keys.fsyncInterval.name: fsyncInterval,
            Keys.retention.name: retention,
            Keys.retentionBytes.name: retentionBytes,
            Keys.diskLimitBytes.name: diskLimitBytes,
            Keys.retentionCheckInterval.name: retentionCheckInterval,
        ]
    }

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.broker",
            options: runtime,
            keys: BrokerConfiguration.Keys.all,
            flags: flags
        )
        let configuration = try BrokerConfiguration(resolved: process.configuration)
        let service = try await BrokerService.start(
            configuration: configuration,
            drainTimeout: try process.configuration.duration(.shutdownTimeout),
            logger: process.logger
        )
        try await process.run([service])
    }
}
