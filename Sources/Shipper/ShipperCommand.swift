import EdgelogConfiguration
import ArgumentParser
import EdgelogRuntime
import Foundation
import LogTailing
import ShipperCore

/// `edgelog-shipper`: tails nginx access logs and ships them to the broker. Argument parsing and
/// wiring only: the settings resolve through EdgelogRuntime (flags > environment > file >
/// defaults, `--print-config`), the work is `ShipperCore.ShipperService`.
@main
struct ShipperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-shipper",
        abstract: "Tails nginx access logs and ships every line exactly once to the edgelog broker.",
        discussion: "Settings, each a flag (--name value or --name=value), an environment variable, or a key in the --config file:\n\n"
            + ConfigurationKey.documentation(for: RuntimeOptions.keys(adding: ShipperConfiguration.Keys.all))
    )

    @OptionGroup var runtime: RuntimeOptions

    @Flag(name: .customLong("progress"), help: "Show lines/s and lag on stderr every second.")
    var progress = false

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.shipper",
            options: runtime,
            keys: ShipperConfiguration.Keys.all
        )
        let shutdown = try process.configuration.duration(.shutdownTimeout)
        let configuration: ShipperConfiguration
        do {
            // Leave a fifth of the shutdown time for the final checkpoints.
            configuration = try ShipperConfiguration(resolved: process.configuration, drainTimeout: shutdown * 4 / 5)
        } catch let error as ShipperConfigurationError {
            throw ValidationError(error.description)
        }
        // Before /health is served: a second shipper on this directory exits without ever
        // answering healthy.
        let lock = try CheckpointDirectoryLock.acquire(directory: configuration.checkpointDirectory)
        let service = ShipperService(
            configuration: configuration,
            logger: process.logger,
            progress: progress ? ProgressLine.printer() : nil,
            directoryLock: lock
        )
        try await process.run([service])
    }
}

/// `--progress`: one status line a second on stderr, redrawn in place on a terminal.
enum ProgressLine {
    static func printer() -> @Sendable (ProgressSnapshot) -> Void {
        let isTerminal = isatty(STDERR_FILENO) == 1
        let previous = Previous()
        return { snapshot in
            guard let last = previous.swap(snapshot) else { return }
            let text = snapshot.line(since: last)
            let output = isTerminal ? "\r\u{1B}[K" + text : text + "\n"
            FileHandle.standardError.write(Data(output.utf8))
        }
    }

    /// The snapshot before this one, shared by the printer's calls.
    private final class Previous: @unchecked Sendable {
        private let lock = NSLock()
        private var snapshot: ProgressSnapshot?

        func swap(_ new: ProgressSnapshot) -> ProgressSnapshot? {
            lock.lock()
            defer { lock.unlock() }
            let old = snapshot
            snapshot = new
            return old
        }
    }
}
