import AnalystReports
import ArgumentParser
import EdgelogRuntime
import Foundation

/// `edgelog`: the operator's and analyst's command line.
@main
struct Edgelog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog",
        abstract: "edgelog: per-site, per-minute nginx traffic and attack analytics.",
        discussion: "A usage error (unknown option, bad value) exits with status 2.",
        subcommands: [
            DemoCommand.self, GenerateCommand.self, DatabaseCommand.self, DetectCommand.self,
            TopCommand.self, CacheCommand.self, StatusCommand.self, UniquesCommand.self, AttacksCommand.self,
            AuditCommand.self, ReportPageCommand.self,
        ]
    )

    /// ArgumentParser's `main`, except that usage errors exit with 2 (the convention of most
    /// Unix tools, and the reports' documented code) instead of its EX_USAGE (64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                Foundation.exit(ReportExitCode.usage)
            }
            exit(withError: error)
        }
    }
}
