import ArgumentParser

/// `edgelog`: the operator's and analyst's command line.
struct Edgelog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog",
        abstract: "edgelog: per-site, per-minute nginx traffic and attack analytics.",
        subcommands: [GenerateCommand.self]
    )
}

Edgelog.main()
