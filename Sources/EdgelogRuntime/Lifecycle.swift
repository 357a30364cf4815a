import Logging
import ServiceLifecycle

/// How every edgelog executable runs its services and shuts down.
///
/// Services run in one swift-service-lifecycle `ServiceGroup` that traps SIGTERM and SIGINT as
/// *graceful shutdown* (not cancellation). On a signal the group asks services to stop one at a
/// time in reverse order of the list. Each service must then finish its work in its graceful
/// shutdown handler (`withGracefulShutdownHandler` / `cancelWhenGracefulShutdown` /
/// `gracefulShutdown()`): flush batches, write checkpoints, commit offsets, and return normally.
/// When every service has returned, ``run(_:logger:shutdownTimeout:)`` returns without error and
/// the executable's `run()` ends, so the process exits 0.
///
/// A service that has not finished after `shutdownTimeout` is cancelled (`Task` cancellation); a
/// service that throws makes `run` throw, so the process exits non-zero. Note that
/// `cancelWhenGracefulShutdown { … }` stops its body by cancelling it: a `Task.sleep` or other
/// cancellable wait inside then throws `CancellationError`, which the service must catch and treat
/// as the normal end of its loop (then flush) rather than let escape, or the exit code is 1.
public enum Lifecycle {
    /// The group ``run(_:logger:shutdownTimeout:)`` runs; exposed so tests can trigger graceful
    /// shutdown with `triggerGracefulShutdown()` instead of sending a signal to the test process.
    public static func makeGroup(
        _ services: [any Service],
        logger: Logger,
        shutdownTimeout: Duration? = nil,
        handlesSignals: Bool = true
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }

    /// Runs `services` until they finish or SIGTERM/SIGINT shuts them down gracefully.
    public static func run(
        _ services: [any Service],
        logger: Logger,
        shutdownTimeout: Duration? = nil
    ) async throws {
        try await makeGroup(services, logger: logger, shutdownTimeout: shutdownTimeout).run()
    }
}
