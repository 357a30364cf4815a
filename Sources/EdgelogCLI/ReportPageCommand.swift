import AnalystReports
import ArgumentParser
import EdgelogRuntime
import Foundation

/// `edgelog report --html FILE`: every report of a range as one self-contained HTML page.
struct ReportPageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reports of a range as one self-contained HTML page (--html FILE).",
        discussion: """
            One page with inline SVG charts and no script or network fetches (it opens offline and \
            under a default-src 'none' content security policy): requests and bandwidth over time, \
            cache hit ratio, status classes, attacks by class with their top sources and sample \
            requests, and the top sites with sparklines, error rate, cache hits, p50/p95/p99 and \
            unique client IPs. Without --site the page covers the whole fleet; with --site, that \
            site. The file is replaced atomically; '-' writes to standard output. Every string \
            from the logs is HTML-escaped.

            Reads the coordinator database (as the read-only role edgelog_analyst; --coordinator or \
            $EDGELOG_COORDINATOR). The range is [--since, --until) or --last (default: the last \
            hour). --json and --watch do not apply to the page.

            \(ReportExitCode.helpText)
            """)

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    @Option(help: ArgumentHelp("Where to write the page ('-' for standard output).", valueName: "file"))
    var html: String

    func validate() throws {
        if options.json || options.watch { throw ValidationError("report --html writes a page: --json and --watch do not apply") }
        if html.isEmpty { throw ValidationError("--html needs a file name ('-' for standard output)") }
    }

    func run() async throws {
        let limit = limit.limit
        let page = try ReportRunner.once("report", options: options) { session, scope in
            try HTMLReport.run(session: session, scope: scope, limit: limit).html()
        }
        if html == "-" {
            FileHandle.standardOutput.write(Data(page.utf8))
            return
        }
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            StandardError.write("edgelog report: cannot write \(html): \(error.localizedDescription)\n")
            throw ExitCode(ReportExitCode.failure)
        }
        StandardError.write("edgelog report: wrote \(html) (\(page.utf8.count) bytes)\n")
    }
}
