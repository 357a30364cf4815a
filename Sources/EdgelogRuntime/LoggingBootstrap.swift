import Synchronization
import Logging

/// How log lines are written to stderr.
public enum LogOutputFormat: String, Sendable, CaseIterable {
    /// swift-log's `StreamLogHandler`: `timestamp level label: key=value [source] message`.
    case text
    /// ``JSONLogHandler``: one JSON object per line, for journald/Loki-style collectors.
    case json
}

/// Installs the process-wide swift-log backend. Only executables call this (libraries accept a
/// `Logger`); swift-log allows one bootstrap per process, so later calls are ignored.
public enum LoggingBootstrap {
    private static let installed = Mutex(false)

    /// Routes every `Logger` to stderr at `level` or above, in `format`.
    /// - Returns: true if this call installed the backend, false if an earlier call already did
    ///   (the earlier level and format stay in force).
    @discardableResult
    public static func bootstrap(level: Logger.Level, format: LogOutputFormat = .text) -> Bool {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level, format: format)
        }
        return true
    }

    /// The handler `bootstrap` installs for one logger label; exposed so tests and tools can build
    /// a logger with the same output without touching the global logging system.
    public static func makeHandler(
        label: String,
        level: Logger.Level,
        format: LogOutputFormat,
        write: @escaping @Sendable (String) -> Void = StandardError.write
    ) -> any LogHandler {
        switch format {
        case .text:
            var handler = StreamLogHandler(label: label, stream: StandardError.Stream(sink: write))
            handler.logLevel = level
            return handler
        case .json:
            var handler = JSONLogHandler(label: label, write: write)
            handler.logLevel = level
            return handler
        }
    }
}
