import FileStorage
import KafkaClient
import LogTailing
import Logging
import ServiceLifecycle

/// The shipper as a swift-service-lifecycle `Service`: ``run()`` ships until SIGTERM/SIGINT,
/// then stops reading, sends what is open and in flight, waits (up to `drainTimeout`) for the
/// acknowledgements, writes the final checkpoints and returns (exit code 0). Lines not
/// acknowledged by then are sent again after a restart, and the broker drops what it already
/// holds (DESIGN.md §10.4).
public final class ShipperService: Service, Sendable {
    public let configuration: ShipperConfiguration
    private let metrics: ShipperMetrics
    private let logger: Logger
    private let progress: (@Sendable (ProgressSnapshot) -> Void)?
    private let checkpointFileSystem: any FileSystem
    private let inbox = ShipperInbox()
    /// The checkpoint directory's lock when the caller took it already; `nil`: `run` takes it.
    private let directoryLock: CheckpointDirectoryLock?

    /// - Parameters:
    ///   - progress: called about once a second with the totals (`--progress`).
    ///   - checkpointFileSystem: where checkpoints are written; a test passes one that fails
    ///     like a full or broken disk, so those cases run in-process on any machine.
    ///   - directoryLock: the checkpoint directory's lock, if the caller already holds it.
    public init(
        configuration: ShipperConfiguration,
        metrics: ShipperMetrics = ShipperMetrics(),
        logger: Logger,
        progress: (@Sendable (ProgressSnapshot) -> Void)? = nil,
        checkpointFileSystem: any FileSystem = PosixFileSystem.ownerOnly,
        directoryLock: CheckpointDirectoryLock? = nil
    ) {
        self.directoryLock = directoryLock
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.progress = progress
        self.checkpointFileSystem = checkpointFileSystem
    }

    public func run() async throws {
        try await run(clock: ContinuousClock())
    }

    /// ``run()`` with every deadline of the loop on `clock` (tests pass a manual clock).
    func run<C: Clock>(clock: C) async throws where C.Instant == ContinuousClock.Instant {
        // One shipper per checkpoint directory (DESIGN §10.3): a second one refuses to start.
        // The executable takes the lock before it serves /health (`directoryLock`), so a
        // refused shipper never answers healthy; an embedding takes it here.
        let lock = try directoryLock ?? CheckpointDirectoryLock.acquire(directory: configuration.checkpointDirectory)
        defer { withExtendedLifetime(lock) {} }
        var clientConfiguration = try KafkaClient.Configuration(bootstrap: configuration.broker)
        clientConfiguration.reconnectBackoff = ReconnectBackoff(maximum: configuration.reconnectBackoffMax)
        let client = KafkaClient(configuration: clientConfiguration, logger: logger)
        let pipeline = try ShipperPipeline(
            configuration: configuration,
            client: client,
            inbox: inbox,
            metrics: metrics,
            logger: logger,
            progress: progress,
            checkpointFileSystem: checkpointFileSystem,
            clock: clock
        )
        let inbox = self.inbox
        try await withGracefulShutdownHandler {
            try await pipeline.run()
        } onGracefulShutdown: {
            inbox.post(.stop)
        }
    }

    /// Asks a running ``run()`` to stop as on SIGTERM (for tests and embedding).
    public func stop() {
        inbox.post(.stop)
    }
}
