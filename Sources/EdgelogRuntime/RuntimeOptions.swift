import EdgelogConfiguration
import ArgumentParser
import Foundation

/// The flags every edgelog executable shares; embed with `@OptionGroup var runtime: RuntimeOptions`.
///
/// Setting flags are declared as plain strings so that their values go through the same
/// ``ConfigurationResolver`` validation as environment and file values, and errors name the flag.
/// A program's own settings follow the same pattern: declare `@Option var batchSize: String?`, and
/// pass `["batch-size": batchSize]` to ``resolve(keys:flags:environment:)``.
///
/// ```swift
/// @main struct Broker: AsyncParsableCommand {
///     @OptionGroup var runtime: RuntimeOptions
///     @Option(help: "Directory of the partition logs.") var dataDir: String?
///
///     static let dataDirKey = ConfigurationKey("data-dir", kind: .string, default: "/var/lib/edgelog", help: "…")
///
///     mutating func run() async throws {
///         let process = try RuntimeProcess.start(
///             label: "edgelog.broker", options: runtime, keys: [Self.dataDirKey], flags: ["data-dir": dataDir])
///         try await process.run([brokerService])
///     }
/// }
/// ```
public struct RuntimeOptions: ParsableArguments, Sendable {
    /// `--config PATH`: the JSON configuration file; `EDGELOG_CONFIG` when absent.
    @Option(name: .customLong("config"), help: "JSON configuration file (default: $EDGELOG_CONFIG).")
    public var config: String?

    /// `--print-config`: print every setting with its value and source, then exit 0.
    @Flag(name: .customLong("print-config"), help: "Print the resolved settings and where each came from, then exit.")
    public var printConfig = false

    /// `--log-level`: see ``ConfigurationKey/logLevel``.
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (default: info).")
    public var logLevel: String?

    /// `--log-format`: see ``ConfigurationKey/logFormat``.
    @Option(name: .customLong("log-format"), help: "text|json (default: text).")
    public var logFormat: String?

    /// `--metrics-host`: see ``ConfigurationKey/metricsHost``.
    @Option(name: .customLong("metrics-host"), help: "Address of the /metrics and /health endpoint.")
    public var metricsHost: String?

    /// `--metrics-port`: see ``ConfigurationKey/metricsPort``.
    @Option(name: .customLong("metrics-port"), help: "Port of the /metrics and /health endpoint (0 = any free port).")
    public var metricsPort: String?

    /// `--shutdown-timeout`: see ``ConfigurationKey/shutdownTimeout``.
    @Option(name: .customLong("shutdown-timeout"), help: "Time to flush after SIGTERM/SIGINT (default: 30s).")
    public var shutdownTimeout: String?

    public init() {}

    /// Values of the runtime setting flags the user actually passed, keyed by setting name.
    public var flagValues: [String: String] {
        let given: [String: String?] = [
            ConfigurationKey.logLevel.name: logLevel,
            ConfigurationKey.logFormat.name: logFormat,
            ConfigurationKey.metricsHost.name: metricsHost,
            ConfigurationKey.metricsPort.name: metricsPort,
            ConfigurationKey.shutdownTimeout.name: shutdownTimeout,
        ]
        return given.compactMapValues { $0 }
    }

    /// Resolves the runtime keys plus a program's own `keys`.
    ///
    /// A program key with the same name as a runtime key replaces it (that is how a program gives
    /// `metrics-port` its own default). `flags` holds the program's own flag values; nil values
    /// (flags not passed) are dropped.
    public func resolve(
        keys: [ConfigurationKey] = [],
        flags: [String: String?] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ResolvedConfiguration {
        let programNames = Set(keys.map(\.name))
        let allKeys = ConfigurationKey.runtimeKeys.filter { !programNames.contains($0.name) } + keys
        var allFlags = flagValues
        for (name, value) in flags {
            if let value { allFlags[name] = value }
        }
        return try ConfigurationResolver.resolve(
            keys: allKeys,
            flags: allFlags,
            environment: environment,
            configFile: config
        )
    }
}
