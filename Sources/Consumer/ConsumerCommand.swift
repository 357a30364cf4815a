import EdgelogConfiguration
import ArgumentParser
import ConsumerCore
import EdgelogRuntime

/// `edgelog-consumer`: reads the broker's partitions, aggregates per (minute, site) and writes
/// to the sharded PostgreSQL with exactly-once effect. Argument parsing and wiring only: the
/// settings resolve through EdgelogRuntime (flags > environment > file > defaults,
/// `--print-config`), the work is `ConsumerCore.ConsumerService`.
@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-consumer",
        abstract: "Aggregates the broker's request records per minute and site into sharded PostgreSQL, exactly once.",
        discussion: "Settings (flag, environment variable, or key in the --config file):\n\n"
            + ConfigurationKey.documentation(for: ConfigurationKey.runtimeKeys + ConsumerConfiguration.Keys.all)
            + "\n\nExit status: 0 after SIGTERM/SIGINT once everything read was written; 1 on a fatal error "
            + "(the broker's cluster changed, a shard's schema is missing, every partition taken by another consumer)."
    )

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .customLong("broker"), help: "Broker host:port (default 127.0.0.1:9092).")
    var broker: String?
    @Option(name: .customLong("topic"), help: "Topic (default edgelog.requests).")
    var topic: String?
    @Option(name: .customLong("shards"), help: "Shard connection strings, comma-separated; position = shard id.")
    var shards: String?
    @Option(name: .customLong("partitions"), help: "Partitions to consume, e.g. 0,2 (default: all).")
    var partitions: String?
    @Option(name: .customLong("flush-interval"), help: "Time between writes to the shards (default 1s).")
    var flushInterval: String?
    @Option(name: .customLong("lateness"), help: "How far behind the newest request time a request still counts (default 1h).")
    var lateness: String?
    @Option(name: .customLong("group"), help: "Kafka group the progress is committed under (default edgelog-consumer).")
    var group: String?
    @Option(name: .customLong("max-pending-rows"), help: "Unwritten rows above which fetching pauses (default 200000).")
    var maxPendingRows: String?
    @Option(name: .customLong("fetch-max-bytes"), help: "Largest Fetch answer per partition (default 4MiB).")
    var fetchMaxBytes: String?
    @Option(name: .customLong("retry-backoff-max"), help: "Longest wait between retries (default 5s).")
    var retryBackoffMax: String?
    @Option(name: .customLong("commit-delay"), help: .hidden)
    var commitDelay: String?

    private var flags: [String: String?] {
        typealias Keys = ConsumerConfiguration.Keys
        return [
            Keys.broker.name: broker, Keys.topic.name: topic, Keys.shards.name: shards,
            Keys.partitions.name: partitions, Keys.flushInterval.name: flushInterval, Keys.lateness.name: lateness,
            Keys.group.name: group, Keys.maxPendingRows.name: maxPendingRows, Keys.fetchMaxBytes.name: fetchMaxBytes,
            Keys.retryBackoffMax.name: retryBackoffMax, Keys.commitDelay.name: commitDelay,
        ]
    }

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.consumer",
            options: runtime,
            keys: ConsumerConfiguration.Keys.all,
            flags: flags
        )
        let configuration: ConsumerConfiguration
        do {
            configuration = try ConsumerConfiguration(resolved: process.configuration)
        } catch let error as ConsumerConfigurationError {
            throw ValidationError(error.description)
        }
        try await process.run([ConsumerService(configuration: configuration, logger: process.logger)])
    }
}
