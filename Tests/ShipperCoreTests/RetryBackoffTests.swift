import KafkaClient
import Synchronization
import Testing

@testable import ShipperCore

@Suite struct RetryBackoffTests {
    /// Without jitter: 100 ms, doubling, capped at 300 ms.
    static let delays = ReconnectBackoff(initial: .milliseconds(100), maximum: .milliseconds(300), jitter: 0)

    @Test func delaysGrowToTheCapAndASuccessStartsThemAgain() {
        var retry = RetryBackoff(Self.delays, clock: ManualClock())
        let waits = [retry.failed(), retry.failed(), retry.failed(), retry.failed()]
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(300)])
        #expect(retry.failures == 4)
        retry.succeeded()
        #expect(retry.failures == 0)
        #expect(retry.failed() == .milliseconds(100))
    }


    /// Each failed attempt is followed by exactly its delay on the clock, not more, not less.
    @Test func retriesAfterEachDelayUntilTheAttemptSucceeds() async throws {
        let clock = ManualClock()
        let attempts = Mutex(0)
        let task = Task {
            var retry = RetryBackoff(Self.delays, clock: clock)
            return await retry.retry { () async -> RetryBackoff<ManualClock>.Attempt<String> in
                let count = attempts.withLock { count in
                    count += 1
                    return count
                }
                return count < 3 ? .failed : .succeeded("answer \(count)")
            }
        }
        try await Self.waitForSleeper(on: clock)
        #expect(attempts.withLock { $0 } == 1)
        clock.advance(by: .milliseconds(99))
        try await Task.sleep(for: .milliseconds(20))
        #expect(attempts.withLock { $0 } == 1, "not before the first delay has passed")
        clock.advance(by: .milliseconds(1))
        try await Self.waitUntil { attempts.withLock { $0 } == 2 }
        try await Self.waitForSleeper(on: clock)
        clock.advance(by: .milliseconds(199))
        try await Task.sleep(for: .milliseconds(20))
        #expect(attempts.withLock { $0 } == 2, "the second delay is twice the first")
        clock.advance(by: .milliseconds(1))
        #expect(await task.value == "answer 3")
        #expect(clock.sleeperCount == 0)
    }

    @Test func anAbandonedAttemptIsNotRetried() async {
        var retry = RetryBackoff(Self.delays, clock: ManualClock())
        var attempts = 0
        let value = await retry.retry { () async -> RetryBackoff<ManualClock>.Attempt<Int> in
            attempts += 1
            return .abandoned
        }
        #expect(value == nil && attempts == 1 && retry.failures == 0)
    }

    @Test func cancellingEndsTheWaitAndTheRetries() async throws {
        let clock = ManualClock()
        let attempts = Mutex(0)
        let task = Task {
            var retry = RetryBackoff(Self.delays, clock: clock)
            return await retry.retry { () async -> RetryBackoff<ManualClock>.Attempt<Int> in
                attempts.withLock { $0 += 1 }
                return .failed
            }
        }
        try await Self.waitForSleeper(on: clock)
        task.cancel()
        #expect(await task.value == nil)
        #expect(attempts.withLock { $0 } == 1)
        #expect(clock.sleeperCount == 0)
    }

    static func waitForSleeper(on clock: ManualClock) async throws {
        try await waitUntil { clock.sleeperCount > 0 }
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("condition not met within 2 s")
    }
}
