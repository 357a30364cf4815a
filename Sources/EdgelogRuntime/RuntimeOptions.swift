import EdgelogConfiguration
import ArgumentParser
import Foundation

/// The command line every edgelog executable shares; embed with
/// `@OptionGroup var runtime: RuntimeOptions`.
///
/// Only `--config` and `--print-config` are declared here. Every setting — the runtime keys
/// (`--log-level`, `--metrics-port`, …) and a program's own — is a `--name value` flag read against
/// its `ConfigurationKey` by ``resolve(keys:environment:)``, so a setting is declared once (name,
/// kind, default, help, environment name) and `--help` lists them from those declarations.
///
/// ```swift
/// @main struct Broker: AsyncParsableCommand {
///     @OptionGroup var runtime: RuntimeOptions
///     static let dataDir = ConfigurationKey("data-dir", kind: .string, default: "/var/lib/edgelog", help: "…")
///
///     mutating func run() async throws {
///         let process = try RuntimeProcess.start(label: "edgelog.broker", options: runtime, keys: [Self.dataDir])
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

    /// Everything else on the command line: the setting flags, checked against the keys when
    /// resolved.
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("Settings, each --name value or --name=value (listed below).", valueName: "setting")
    )
    public var settings: [String] = []

    public init() {}

    /// Resolves the runtime keys plus a program's own `keys` from the setting flags, the
    /// environment, the `--config` file and the defaults.
    ///
    /// A program key with the same name as a runtime key replaces it (that is how a program gives
    /// `metrics-port` its own default).
    public func resolve(
        keys: [ConfigurationKey] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ResolvedConfiguration {
        let allKeys = Self.keys(adding: keys)
        return try ConfigurationResolver.resolve(
            keys: allKeys,
            flags: try SettingFlags.parse(settings, keys: allKeys),
            environment: environment,
            configFile: config
        )
    }

    /// The runtime keys, each replaced by a program key of the same name, then the program's keys.
    public static func keys(adding keys: [ConfigurationKey]) -> [ConfigurationKey] {
        let programNames = Set(keys.map(\.name))
        return ConfigurationKey.runtimeKeys.filter { !programNames.contains($0.name) } + keys
    }
}
