import AnalystReports
import ArgumentParser
import EdgelogRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs one report command: connect, resolve the range, build the report, print it; or, with
/// `--watch`, redraw it until interrupted. Turns `ReportError`s into a message on stderr and
/// the documented exit code.
enum ReportRunner {
    /// How long libpq may take to connect when the connection string does not say
    /// (`PGCONNECT_TIMEOUT`): an unreachable host must fail, not hang the terminal.
    static let connectTimeoutSeconds = "10"

    static func run(
        _ name: String, options: ReportOptions, build: @escaping (CoordinatorSession, ReportScope) throws -> any RenderableReport
    ) async throws {
        if options.watch {
            setenv("PGCONNECT_TIMEOUT", connectTimeoutSeconds, 0)
            try await watch(name, options: options, conninfo: try options.coordinatorConninfo(), build: build)
            return
        }
        let output = try once(name, options: options) { session, scope in
            let report = try build(session, scope)
            return try options.json ? ReportJSON.encode(report) : report.text()
        }
        print(output)
    }

    /// Connects, resolves the range once and runs `build`; a `ReportError` becomes its message
    /// on stderr and the documented exit code. For every report command and the HTML page.
    static func once<Result>(
        _ name: String, options: ReportOptions, build: (CoordinatorSession, ReportScope) throws -> Result
    ) throws -> Result {
        setenv("PGCONNECT_TIMEOUT", connectTimeoutSeconds, 0)
        let conninfo = try options.coordinatorConninfo()
        do {
            let session = try CoordinatorSession(conninfo: conninfo)
            let scope = ReportScope(range: try ReportRange.resolve(options.rangeRequest, now: Date()), site: options.site)
            return try build(session, scope)
        } catch let error as ReportError {
            StandardError.write("edgelog \(name): \(error)\n")
            throw ExitCode(error.exitCode)
        }
    }

    /// Clears the screen and redraws every `--interval` seconds. A coordinator that is down or
    /// a range without data is shown and retried (an operator watching an outage wants the
    /// screen to come back by itself); a schema too old or a refused query ends the command.
    private static func watch(
        _ name: String, options: ReportOptions, conninfo: String,
        build: @escaping (CoordinatorSession, ReportScope) throws -> any RenderableReport
    ) async throws {
        var session: CoordinatorSession?
        while true {
            var screen: String
            do {
                let current = try session ?? CoordinatorSession(conninfo: conninfo)
                session = current
                let scope = ReportScope(range: try ReportRange.resolve(options.rangeRequest, now: Date()), site: options.site)
                screen = try build(current, scope).text()
            } catch let error as ReportError {
                switch error {
                case .coordinatorUnreachable:
                    session = nil
                    screen = "edgelog \(name): \(error)"
                case .noData:
                    screen = "edgelog \(name): \(error)"
                default:
                    StandardError.write("edgelog \(name): \(error)\n")
                    throw ExitCode(error.exitCode)
                }
            }
            let stamp = ReportRange.format(Date())
            // One unbuffered write per frame, so a frame is never shown half drawn.
            let frame = "\u{1B}[H\u{1B}[2J" + screen + "\n\n\(stamp), every \(options.interval)s; Ctrl-C to stop\n"
            FileHandle.standardOutput.write(Data(frame.utf8))
            try await Task.sleep(for: .seconds(options.interval))
        }
    }
}
