import Synchronization
import Dispatch
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
/// Known race: `DispatchSource` registers a signal source asynchronously (on Linux libdispatch
/// blocks the signal and opens a signalfd on its manager thread). A SIGTERM in the few
/// milliseconds between `signal(SIG_IGN)` and that registration is discarded, so a process
/// signalled right at start can miss it (seen once in CI). Blocking SIGTERM/SIGINT in the
/// installing thread before ignoring them would keep such a signal pending for the signalfd;
/// not done yet because child processes inherit the blocked mask.
///
/// Invariant: installed at most once per process (signal dispositions are process-wide).
final class ShutdownSignals: Sendable {
    private struct State {
        var received: Int32?
        var group: ServiceGroup?
        var sources: [any DispatchSourceSignal] = []
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
        let queue = DispatchQueue(label: "edgelog.shutdown-signals")
        state.withLock { state in
            for number in [SIGTERM, SIGINT] {
                // The dispatch source only sees the signal once its default action is off.
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [weak self] in self?.received(number) }
                source.resume()
                state.sources.append(source)
            }
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

    /// Hands later signals to `group`; a signal already received shuts it down right away.
    func attach(_ group: ServiceGroup) {
        let early = state.withLock { state in
            state.group = group
            return state.received != nil
        }
        if early { Task { await group.triggerGracefulShutdown() } }
    }
}
