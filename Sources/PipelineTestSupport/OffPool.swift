import Foundation

/// Runs blocking work (`waitpid`, a blocking socket, a libpq call, a semaphore) on a thread of
/// its own and suspends the calling task until it finishes.
///
/// swift-testing runs test functions on Swift's cooperative pool, which has one thread per core:
/// two on CI. A test that blocks one of them for a second halves the pool for every other test
/// running in parallel, and their timers and deadlines slip. Work handed to `OffPool` blocks a
/// fresh thread instead; the pool thread is free while the task waits. A thread per call costs
/// about as much as starting a process, so use it for waits on the outside world, not for loops
/// of tiny calls (hand the whole loop over instead).
public enum OffPool {
    /// Runs `work` on a new thread and returns (or throws) what it returned (or threw).
    /// Cancelling the calling task does not interrupt `work`: give blocking calls a timeout.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "edgelog-test-offpool"
            thread.start()
        }
    }

    /// Runs non-throwing `work` on a new thread and returns its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: work())
            }
            thread.name = "edgelog-test-offpool"
            thread.start()
        }
    }
}
