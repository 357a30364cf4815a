import Foundation
import Synchronization

/// One blocking call on a thread of its own whose answer an async test reads with a deadline.
///
/// Unlike `OffPool.run` and `BackgroundThread.finished()` (PipelineTestSupport), which wait for
/// the work however long it takes, the test may give up on a `TimedCall`: it is for calls that
/// must not block — a request to the `GroupCoordinator` while another one holds a file removal
/// open — so that one that does block fails the test instead of hanging it. The thread stays
/// blocked until whatever holds it lets go; the test must let go before it ends.
final class TimedCall<Value: Sendable>: Sendable {
    private let answer = Mutex<Value?>(nil)

    /// Starts `call` on a new thread at once.
    init(_ call: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            let value = call()
            answer.withLock { $0 = value }
        }
        thread.name = "edgelog-test-timed-call"
        thread.start()
    }

    /// What the call returned, `nil` while it runs.
    var value: Value? { answer.withLock { $0 } }

    /// What the call returned, once it returns within `timeout`; `nil` if it is still running.
    func value(within timeout: Duration) async -> Value? {
        _ = await pollUntil(timeout: timeout) { value != nil }
        return value
    }
}

/// Waits (polling, without blocking a thread) until `condition` holds; false after `timeout`.
func pollUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}
