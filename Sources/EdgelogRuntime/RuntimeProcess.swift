import EdgelogConfiguration
import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Everything an edgelog executable sets up before its own work, in one place so the executables
/// never diverge: resolved configuration, `--print-config`, logging, metrics, `/metrics` and
/// `/health`, and signal-driven graceful shutdown.
///
/// ```swift
/// let process = try RuntimeProcess.start(label: "edgelog.broker", options: runtime,
///                                        keys: Broker.keys)
/// let service = BrokerService(configuration: …, logger: process.logger)
/// try await process.run([service])   // returns after SIGTERM once the service has flushed
/// ```
public struct RuntimeProcess: Sendable {
    /// Every runtime and program setting, with its source.
    public let configuration: ResolvedConfiguration
    /// The program's root logger (label as given to ``start(label:options:keys:environment:)``).
    public let logger: Logger
    /// The registry swift-metrics records into; rendered on `/metrics`.
    public let metrics: PrometheusCollectorRegistry
    /// What `/health` reports; services call ``HealthStatus/markUnhealthy(_:)`` on it.
    public let health: HealthStatus

    /// Resolves the configuration, then bootstraps logging and metrics for the process.
    ///
    /// - Throws: `CleanExit.message` carrying the `--print-config` text when that flag was given
    ///   (ArgumentParser prints it to stdout and exits 0); ``ConfigurationError`` for a bad setting
    ///   (ArgumentParser prints it and exits 1).
    public static func start(
        label: String,
        options: RuntimeOptions,
        keys: [ConfigurationKey] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> RuntimeProcess {
        let configuration = try options.resolve(keys: keys, environment: environment)
        if options.printConfig {
            var text = configuration.rendered()
            if text.hasSuffix("\n") { text.removeLast() }
            throw CleanExit.message(text)
        }
        let level = Logger.Level(rawValue: try configuration.string(.logLevel)) ?? .info
        let format = LogOutputFormat(rawValue: try configuration.string(.logFormat)) ?? .text
        LoggingBootstrap.bootstrap(level: level, format: format)
        let logger = Logger(label: label)
        // Before any listener is bound: a SIGTERM from here on means "flush and exit 0".
        _ = ShutdownSignals.installed(logger: logger)
        return RuntimeProcess(
            configuration: configuration,
            logger: logger,
            metrics: MetricsBootstrap.bootstrap(),
            health: HealthStatus()
        )
    }

    /// Binds `/metrics` on the configured `metrics-host`/`metrics-port`, then runs it and
    /// `services` under ``Lifecycle`` until they finish or SIGTERM/SIGINT has shut them down
    /// gracefully (bounded by `shutdown-timeout`). Returning normally means exit code 0.
    public func run(_ services: [any Service]) async throws {
        let server = try await MetricsServer.bind(
            host: try configuration.string(.metricsHost),
            port: try configuration.int(.metricsPort),
            registry: metrics,
            health: health,
            logger: logger
        )
        logger.info("serving /metrics and /health", metadata: ["metrics.address": "\(server.endpoint)"])
        let group = Lifecycle.makeGroup(
            [server] + services,
            logger: logger,
            shutdownTimeout: try configuration.duration(.shutdownTimeout),
            handlesSignals: false
        )
        ShutdownSignals.installed(logger: logger).attach(group)
        try await group.run()
    }
}
