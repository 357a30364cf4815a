import Logging
import ServiceLifecycle

/// The broker as a swift-service-lifecycle `Service`, in two phases like the runtime's
/// `MetricsServer`: ``start(configuration:metrics:logger:)`` recovers the data directory and
/// binds the listener (so a bad data directory or a taken port fails the program before anything
/// else runs, and `/health` only answers once the broker listens); ``run()`` serves until
/// SIGTERM/SIGINT, then stops accepting, finishes in-flight requests, syncs and closes the logs
/// and returns (exit code 0).
public final class BrokerService: Service, Sendable {
    public let server: BrokerServer
    private let drainTimeout: Duration

    private init(server: BrokerServer, drainTimeout: Duration) {
        self.server = server
        self.drainTimeout = drainTimeout
    }

    /// Opens the node (recovery included) and binds the listener.
    public static func start(
        configuration: BrokerConfiguration,
        metrics: BrokerMetrics = BrokerMetrics(),
        drainTimeout: Duration = .seconds(10),
        logger: Logger
    ) async throws -> BrokerService {
        let node = try BrokerNode(configuration: configuration, metrics: metrics, logger: logger)
        do {
            return BrokerService(server: try await BrokerServer.bind(node: node), drainTimeout: drainTimeout)
        } catch {
            node.close()
            throw error
        }
    }

    public var port: Int { server.port }

    public func run() async throws {
        let server = self.server
        try? await withTaskCancellationOrGracefulShutdownHandler {
            try await server.listenerClosed()
        } onCancelOrGracefulShutdown: {
            server.stopAccepting()
        }
        await server.shutdown(drainTimeout: drainTimeout)
    }
}
