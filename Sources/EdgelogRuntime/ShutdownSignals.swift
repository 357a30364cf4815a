import Synchronization
import Foundation
import Logging
import ServiceLifecycle

/// SIGTERM/SIGINT handling that is in force from the moment a process starts, not only once its
/// `ServiceGroup` runs.
///
/// Why: an executable binds its listeners (Kafka port, `/metrics`) before its service group runs.
/// A supervisor or test that sees the port open and sends SIGTERM in that window would otherwise
/// hit the default action and kill the process without a flush. Here the signals are taken over at
/// ``RuntimeProcess/start(label:options:keys:environment:)``; one that arrives before a
/// group is attached is remembered and shuts the group down as soon as it is attached.
///
/// How: a plain `sigaction` handler writes the signal's number into a pipe, and a thread of its
/// own reads the pipe. Unlike a `DispatchSource`, which libdispatch registers asynchronously (a
/// SIGTERM in the milliseconds before its registration was discarded: seen once in CI), the
/// handler is in force when ``installed(logger:)`` returns, and a byte in the pipe cannot be
/// lost. The pipe is close-on-exec, and child processes start with default dispositions (exec
/// resets handled signals), so nothing leaks into them.
///
/// Invariant: installed at most once per process (signal dispositions are process-wide).
final class ShutdownSignals: Sendable {
    private struct State {
        var received: Int32?
        var group: ServiceGroup?
    }

    private let state = Mutex(State())
    private let logger: Logger

    private static let shared = Mutex<ShutdownSignals?>(nil)

    /// The process's signal handling, installed on first use.
    static func installed(logger: Logger) -> ShutdownSignals {
        shared.withLock { current in
            if let current { return current }
            let signals = ShutdownSignals(logger: logger)
            signals.install()
            current = signals
            return signals
        }
    }

    private init(logger: Logger) {
        self.logger = logger
    }

    private func install() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            logger.error("cannot create the signal pipe; SIGTERM keeps its default action", metadata: ["errno": "\(errno)"])
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    received(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "edgelog.shutdown-signals"
        thread.start()
        for number in [SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    private func received(_ number: Int32) {
        let group: ServiceGroup? = state.withLock { state in
            state.received = state.received ?? number
            return state.group
        }
        logger.info("shutdown signal received", metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
        if let group { Task { await group.triggerGracefulShutdown() } }
    }

    /// The first signal received, if any.
    var receivedSignal: Int32? { state.withLock { $0.received } }

    /// Hands later signals to `group`; a signal already received shuts it down right away.
    func attach(_ group: ServiceGroup) {
        let early = state.withLock { state in
            state.group = group
            return state.received != nil
        }
        if early { Task { await group.triggerGracefulShutdown() } }
    }
}

/// The signal pipe's write end, set once before any handler that reads it is installed.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The `sigaction` handler: async-signal-safe (one `write`, errno preserved).
private func forwardSignal(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = saved
}
