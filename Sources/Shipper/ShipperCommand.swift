import EdgelogConfiguration
import ArgumentParser
import EdgelogRuntime
import Foundation
import ShipperCore

/// `edgelog-shipper`: tails nginx access logs and ships them to the broker. Argument parsing and
/// wiring only: the settings resolve through EdgelogRuntime (flags > environment > file >
/// defaults, `--print-config`), the work is `ShipperCore.ShipperService`.
@main
struct ShipperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgelog-shipper",
        abstract: "Tails nginx access logs and ships every line exactly once to the edgelog broker.",
        discussion: "Settings (flag, environment variable, or key in the --config file):\n\n"
            + ConfigurationKey.documentation(for: ConfigurationKey.runtimeKeys + ShipperConfiguration.Keys.all)
    )

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .customLong("files"), help: "Files and globs, comma-separated, each path[:format-name][@site].")
    var files: String?
    @Option(name: .customLong("format"), help: "log_format of files that name none (default combined).")
    var format: String?
    @Option(name: .customLong("site-label"), help: "Site of files without @site whose format has no $host.")
    var siteLabel: String?
    @Option(name: .customLong("start-at"), help: "beginning|end for files present at the very first start.")
    var startAt: String?
    @Option(name: .customLong("broker"), help: "Broker host:port (default 127.0.0.1:9092).")
    var broker: String?
    @Option(name: .customLong("topic"), help: "Topic (default edgelog.requests).")
    var topic: String?
    @Option(name: .customLong("checkpoint-dir"), help: "Checkpoint directory.")
    var checkpointDirectory: String?
    @Option(name: .customLong("edge-name"), help: "This edge's name in the records (default: host name).")
    var edgeName: String?
    @Option(name: .customLong("batch-bytes"), help: "Largest uncompressed batch (default 1MiB).")
    var batchBytes: String?
    @Option(name: .customLong("linger"), help: "Longest wait for a batch to fill (default 100ms).")
    var linger: String?
    @Option(name: .customLong("max-in-flight"), help: "Unacknowledged batches per file and partition (default 5).")
    var maxInFlight: String?
    @Option(name: .customLong("memory-limit"), help: "Batch bytes above which reading stops (default 64MiB).")
    var memoryLimit: String?
    @Option(name: .customLong("max-line-bytes"), help: "Longest line shipped whole (default 64KiB).")
    var maxLineBytes: String?
    @Option(name: .customLong("poll-interval"), help: "Time between looks at the files (default 250ms).")
    var pollInterval: String?
    @Option(name: .customLong("drain-idle"), help: "Idle time before a rotated file is closed (default 2s).")
    var drainIdle: String?
    @Option(
        name: .customLong("missing-file-expiry"),
        help: "How long the checkpoint of a file not found is kept and the file looked for (default 24h)."
    )
    var missingFileExpiry: String?
    @Option(name: .customLong("checkpoint-interval"), help: "Least time between checkpoint writes (default 200ms).")
    var checkpointInterval: String?
    @Option(
        name: .customLong("reconnect-backoff-max"),
        help: "Longest wait between broker connection attempts (default 5s)."
    )
    var reconnectBackoffMax: String?
    @Flag(name: .customLong("progress"), help: "Show lines/s and lag on stderr every second.")
    var progress = false

    private var flags: [String: String?] {
        typealias Keys = ShipperConfiguration.Keys
        return [
            Keys.files.name: files, Keys.format.name: format, Keys.siteLabel.name: siteLabel,
            Keys.startAt.name: startAt, Keys.broker.name: broker, Keys.topic.name: topic,
            Keys.checkpointDirectory.name: checkpointDirectory, Keys.edgeName.name: edgeName,
            Keys.batchBytes.name: batchBytes, Keys.linger.name: linger, Keys.maxInFlight.name: maxInFlight,
            Keys.memoryLimit.name: memoryLimit, Keys.maxLineBytes.name: maxLineBytes,
            Keys.pollInterval.name: pollInterval, Keys.drainIdle.name: drainIdle,
            Keys.missingFileExpiry.name: missingFileExpiry,
            Keys.checkpointInterval.name: checkpointInterval, Keys.reconnectBackoffMax.name: reconnectBackoffMax,
        ]
    }

    mutating func run() async throws {
        let process = try RuntimeProcess.start(
            label: "edgelog.shipper",
            options: runtime,
            keys: ShipperConfiguration.Keys.all,
            flags: flags
        )
        let shutdown = try process.configuration.duration(.shutdownTimeout)
        let configuration: ShipperConfiguration
        do {
            // Leave a fifth of the shutdown time for the final checkpoints.
            configuration = try ShipperConfiguration(resolved: process.configuration, drainTimeout: shutdown * 4 / 5)
        } catch let error as ShipperConfigurationError {
            throw ValidationError(error.description)
        }
        let service = ShipperService(
            configuration: configuration,
            logger: process.logger,
            progress: progress ? ProgressLine.printer() : nil
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
