import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The `/metrics` and `/health` HTTP endpoint (see ``MetricsHTTPHandler`` for the routes), as a
/// swift-service-lifecycle `Service`.
///
/// Two phases, so that a taken port fails the program before any other service starts and the
/// bound port (port 0 = ephemeral) is known before the service group runs:
/// 1. ``bind(host:port:registry:health:logger:eventLoopGroup:)`` opens the listening socket;
/// 2. ``run()`` serves until graceful shutdown or cancellation, then closes the socket and returns
///    once it is closed. Put the server first in a service group: groups stop services in reverse
///    order, so `/metrics` stays scrapeable while the other services flush.
///
/// A server that is bound but never run keeps its socket open; call ``close()`` in that case.
public final class MetricsServer: Service, Sendable {
    /// The address the server actually listens on.
    public let localAddress: SocketAddress
    private let channel: any Channel
    private let logger: Logger

    /// The TCP port actually bound (the OS-chosen one when 0 was requested).
    public var port: Int { localAddress.port ?? 0 }

    /// `host:port` as bound, for logs (`127.0.0.1:9100`, `[::1]:9100`).
    public var endpoint: String { Self.endpoint(localAddress) }

    private static func endpoint(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return address.protocol == .inet6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private init(channel: any Channel, localAddress: SocketAddress, logger: Logger) {
        self.channel = channel
        self.localAddress = localAddress
        self.logger = logger
    }

    /// Binds the listening socket.
    /// - Throws: ``MetricsServerError/bindFailed(host:port:reason:)`` if the address is taken or invalid.
    public static func bind(
        host: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        health: HealthStatus,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(MetricsServerError) -> MetricsServer {
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry, health: health))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw .bindFailed(host: host, port: port, reason: "\(error)")
        }
        guard let localAddress = channel.localAddress else {
            channel.close(promise: nil)
            throw .bindFailed(host: host, port: port, reason: "no local address after bind")
        }
        logger.debug("metrics endpoint bound", metadata: ["metrics.address": "\(endpoint(localAddress))"])
        return MetricsServer(channel: channel, localAddress: localAddress, logger: logger)
    }

    /// Serves until graceful shutdown or cancellation, then closes the listening socket.
    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            self.channel.close(promise: nil)
        }
        logger.debug("metrics endpoint closed", metadata: ["metrics.address": "\(endpoint)"])
    }

    /// Closes the listening socket of a server that will not be run. Idempotent.
    public func close() async {
        try? await channel.close()
    }
}

/// Why the metrics endpoint could not start.
public enum MetricsServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The socket could not be bound (address in use, unknown host, no permission).
    case bindFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let host, let port, let reason): "metrics endpoint: cannot listen on \(host):\(port): \(reason)"
        }
    }
}
