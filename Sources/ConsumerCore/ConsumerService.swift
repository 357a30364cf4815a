import Synchronization
import KafkaClient
import Logging
import PostgresSink
import ServiceLifecycle

/// The consumer as a swift-service-lifecycle `Service`: ``run()`` consumes until SIGTERM/SIGINT,
/// then stops fetching, writes what it has aggregated to every shard and returns (exit code 0).
/// What was not committed by then is read again after a restart; the compare-and-set on the
/// progress makes sure nothing is counted twice (DESIGN §10.5–6).
public final class ConsumerService: Service, Sendable {
    public let configuration: ConsumerConfiguration
    private let metrics: ConsumerMetrics
    private let logger: Logger
    private let stopSignal = StopSignal()

    public init(configuration: ConsumerConfiguration, metrics: ConsumerMetrics = ConsumerMetrics(), logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        var clientConfiguration = try KafkaClient.Configuration(bootstrap: configuration.broker)
        clientConfiguration.reconnectBackoff = ReconnectBackoff(maximum: configuration.retryBackoffMax)
        // Every fetched answer carries its broker's cluster id, checked before it is fed.
        clientConfiguration.identifiesCluster = true
        let client = KafkaClient(configuration: clientConfiguration, logger: logger)
        var writers: [ShardWriter] = []
        for (shard, conninfo) in configuration.shards.enumerated() {
            let description = (try? PGConninfo(conninfo).redacted) ?? "(unparseable connection string)"
            writers.append(
                ShardWriter(
                    shard: shard, conninfo: conninfo, description: description,
                    commitDelay: configuration.commitDelay, logger: logger))
        }
        logger.info(
            "consumer starting",
            metadata: [
                "broker": "\(configuration.broker)", "topic": "\(configuration.topic)",
                "shards": "\(writers.map(\.description))",
            ])
        let stopSignal = self.stopSignal
        try await withGracefulShutdownHandler {
            let loop: ConsumerLoop
            do {
                loop = try await ConsumerLoop.start(
                    configuration: configuration, client: client, writers: writers, metrics: metrics, logger: logger,
                    stopSignal: stopSignal)
            } catch is StoppedBeforeStart {
                logger.info("stopped while starting; nothing was read")
                return
            }
            try await loop.run()
            await loop.leaveGroup()
        } onGracefulShutdown: {
            stopSignal.fire()
        }
        await client.shutdown()
        logger.info("consumer stopped")
    }

    /// Asks a running ``run()`` to stop as on SIGTERM (for tests and embedding).
    public func stop() {
        stopSignal.fire()
    }
}

/// A stop request (SIGTERM, or `stop()`), shared by the service and its loop; may arrive
/// before the loop exists.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    func fire() { flag.store(true, ordering: .relaxed) }

    var isFired: Bool { flag.load(ordering: .relaxed) }
}
