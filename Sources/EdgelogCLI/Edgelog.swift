import ArgumentParser

/// `edgelog`: the operator's and analyst's command line.
@main
struct Edgelog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog",
        abstract: "edgelog: per-site, per-minute nginx traffic and attack analytics.",
        subcommands: [DemoCommand.self, GenerateCommand.self, DatabaseCommand.self, DetectCommand.self]
    )
}
