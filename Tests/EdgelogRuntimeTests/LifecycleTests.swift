import EdgelogRuntime
import Foundation
import Prometheus
import ServiceLifecycle
import Testing

/// A service that, like the real ones, does its final work in its graceful-shutdown handler: it
/// waits for shutdown, then "flushes", which here means asking the metrics endpoint for /health
/// (proving the endpoint is still up while services flush) and recording that it finished.
final class FlushingService: Service, @unchecked Sendable {
    private let lock = NSLock()
    private var _flushed = false
    private var _healthDuringFlush: Int?
    let metricsPort: Int
    let started: AsyncStream<Void>
    private let startedContinuation: AsyncStream<Void>.Continuation

    init(metricsPort: Int) {
        self.metricsPort = metricsPort
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    var flushed: Bool { lock.withLock { _flushed } }
    var healthDuringFlush: Int? { lock.withLock { _healthDuringFlush } }

    func run() async throws {
        startedContinuation.yield()
        startedContinuation.finish()
        try await gracefulShutdown()
        let status = try await httpRequest(path: "/health", port: metricsPort).status
        lock.withLock {
            _healthDuringFlush = status
            _flushed = true
        }
    }
}

struct LifecycleTests {
    @Test func gracefulShutdownLetsServicesFlushAndClosesThePort() async throws {
        let server = try await MetricsServer.bind(
            host: "127.0.0.1", port: 0, registry: PrometheusCollectorRegistry(), health: HealthStatus(), logger: quietLogger)
        let port = server.port
        let service = FlushingService(metricsPort: port)
        let group = Lifecycle.makeGroup([server, service], logger: quietLogger, shutdownTimeout: .seconds(10))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for await _ in service.started {}
            #expect(try await httpRequest(path: "/health", port: port).status == 200)
            #expect(service.flushed == false)

            await group.triggerGracefulShutdown()
            // run() returning without throwing is what makes the executable exit 0.
            try await tasks.next()
        }

        #expect(service.flushed)
        #expect(service.healthDuringFlush == 200)
        await #expect(throws: (any Error).self) {
            try await httpRequest(path: "/health", port: port)
        }
    }
}
