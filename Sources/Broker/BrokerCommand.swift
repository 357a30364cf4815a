import EdgelogConfiguration
import ArgumentParser
import BrokerCore
import EdgelogRuntime

/// `edgelog-broker`: the Kafka-protocol broker. Argument parsing and wiring only: the settings
/// resolve through EdgelogRuntime (flags > environment > file > defaults, `--print-config`),
/// the work is `BrokerCore.BrokerService`.
@main
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-broker",
        abstract: "Kafka-protocol broker: partitioned, durable logs for edgelog shippers and consumers.",
        discussion: "Settings, each a flag (--name value or --name=value), an environment variable, or a key in the --config file:\n\n"
            + ConfigurationKey.documentation(for: RuntimeOptions.keys(adding: BrokerConfiguration.Keys.all))
    )

    @OptionGroup var runtime: RuntimeOptions

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.broker",
            options: runtime,
            keys: BrokerConfiguration.Keys.all
        )
        let configuration = try BrokerConfiguration(resolved: process.configuration)
        let service = try await BrokerService.start(
            configuration: configuration,
            drainTimeout: try process.configuration.duration(.shutdownTimeout),
            logger: process.logger
        )
        try await process.run([service])
    }
}
