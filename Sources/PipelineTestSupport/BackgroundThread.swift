import Foundation
import Synchronization

/// A thread that starts running `body` at once (not when the cooperative pool gets round to a
/// task) and whose end a task can await without blocking a thread.
///
/// For test clients that must keep their own rhythm however busy the pool is: producers that
/// block on sockets, a consumer group that commits every few hundred milliseconds. `OffPool`
/// suits one blocking call awaited on the spot; this suits a loop started now and joined later.
public final class BackgroundThread: Sendable {
    private struct State {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Starts a thread named `name` running `body`.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            finish()
        }
        thread.name = name
        thread.start()
    }

    /// Suspends until `body` has returned.
    public func finished() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
