import Synchronization
/// The mailbox of the pipeline's loop: other tasks `post` events, the loop `drain`s them and,
/// when it has nothing to do, `wait`s until an event arrives or a deadline passes.
///
/// One waiter at a time (the loop). A post wakes it at once; a timeout wakes it through a
/// sleeping task that carries the wait's token, so a stale timer never ends a later wait.
final class ShipperInbox: Sendable {
    private struct State {
        var events: [ShipperEvent] = []
        var waiter: CheckedContinuation<Void, Never>?
        var waitToken: UInt64 = 0
        /// The last wait whose timer fired, so a timer that fires before the waiter is in place
        /// still ends that wait.
        var expiredToken: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    func post(_ event: ShipperEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.events.append(event)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Every event posted since the last drain, in posting order.
    func drain() -> [ShipperEvent] {
        state.withLock { state in
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
    }

    /// Returns when an event is waiting, `timeout` has passed, or the task is cancelled.
    func wait(timeout: Duration) async {
        await wait(timeout: timeout, clock: ContinuousClock())
    }

    /// Returns when an event is waiting, `timeout` has passed on `clock`, or the task is
    /// cancelled.
    func wait<C: Clock>(timeout: C.Duration, clock: C) async {
        if state.withLock({ !$0.events.isEmpty }) { return }
        let token = state.withLock { state -> UInt64 in
            state.waitToken &+= 1
            return state.waitToken
        }
        let timer = Task { [self] in
            try? await clock.sleep(for: timeout)
            wake(token: token)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    guard state.events.isEmpty, state.expiredToken != token, !Task.isCancelled else { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            wake(token: token)
        }
        timer.cancel()
    }

    /// Ends the wait `token` if it is still the current one.
    private func wake(token: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.waitToken == token else { return nil }
            state.expiredToken = token
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
