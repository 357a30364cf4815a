import EdgelogConfiguration
import ArgumentParser
import ConsumerCore
import EdgelogRuntime

/// `edgelog-consumer`: reads the broker's partitions, aggregates per (minute, site) and writes
/// to the sharded PostgreSQL with exactly-once effect. Argument parsing and wiring only: the
/// settings resolve through EdgelogRuntime (flags > environment > file > defaults,
/// `--print-config`), the work is `ConsumerCore.ConsumerService`.
@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-consumer",
        abstract: "Aggregates the broker's request records per minute and site into sharded PostgreSQL, exactly once.",
        discussion: "Settings, each a flag (--name value or --name=value), an environment variable, or a key in the --config file:\n\n"
            + ConfigurationKey.documentation(for: RuntimeOptions.keys(adding: ConsumerConfiguration.Keys.all))
            + "\n\nExit status: 0 after SIGTERM/SIGINT once everything read was written; 1 on a fatal error "
            + "(the broker's cluster changed, a shard's schema is missing, every partition taken by another consumer)."
    )

    @OptionGroup var runtime: RuntimeOptions

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.consumer",
            options: runtime,
            keys: ConsumerConfiguration.Keys.all
        )
        let configuration: ConsumerConfiguration
        do {
            configuration = try ConsumerConfiguration(resolved: process.configuration)
        } catch let error as ConsumerConfigurationError {
            throw ValidationError(error.description)
        }
        try await process.run([ConsumerService(configuration: configuration, logger: process.logger)])
    }
}
