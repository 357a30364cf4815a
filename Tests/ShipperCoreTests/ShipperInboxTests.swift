import Synchronization
import Testing

@testable import ShipperCore

/// The waits run on a `ManualClock`, so what ends a wait (the timeout, a post, cancellation) is
/// decided by the test, not by how soon a busy cooperative pool gets round to a timer: tests run
/// in parallel on two threads. A wait that nothing ends hangs until the suite's time limit.
@Suite(.timeLimit(.minutes(1)))
struct ShipperInboxTests {
    /// Suspends until `clock` has `count` sleepers (the wait's timer is armed).
    private func sleepers(_ count: Int, on clock: ManualClock) async throws {
        while clock.sleeperCount < count { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func waitEndsAtTheTimeoutWhenNothingArrives() async throws {
        let inbox = ShipperInbox()
        let clock = ManualClock()
        let start = clock.now
        let ended = Mutex(false)
        let waiter = Task {
            await inbox.wait(timeout: .milliseconds(60), clock: clock)
            ended.withLock { $0 = true }
        }
        try await sleepers(1, on: clock)
        clock.advance(by: .milliseconds(59))
        #expect(clock.sleeperCount == 1, "the timer fired early")
        #expect(!ended.withLock { $0 })
        clock.advance(by: .milliseconds(1))
        await waiter.value
        #expect(start.duration(to: clock.now) == .milliseconds(60))
        #expect(inbox.drain().isEmpty)
    }

    /// The real clock, which the shipper uses: the timeout still ends the wait, never early.
    @Test func waitOnTheContinuousClockEndsAtTheTimeout() async {
        let inbox = ShipperInbox()
        let start = ContinuousClock.now
        await inbox.wait(timeout: .milliseconds(60))
        #expect(start.duration(to: .now) >= .milliseconds(55))
        #expect(inbox.drain().isEmpty)
    }

    @Test func aPostEndsTheWaitAndDrainKeepsPostingOrder() async throws {
        let inbox = ShipperInbox()
        let clock = ManualClock()
        let waiter = Task { await inbox.wait(timeout: .seconds(10), clock: clock) }
        try await sleepers(1, on: clock)
        inbox.post(.topicReady(partitions: 3, clusterId: "c"))
        inbox.post(.stop)
        // The clock never moves: only the post can end the wait.
        await waiter.value
        let events = inbox.drain()
        guard events.count == 2, case .topicReady(partitions: 3, clusterId: "c") = events[0], case .stop = events[1] else {
            Issue.record("events: \(events)")
            return
        }
        #expect(inbox.drain().isEmpty)
    }

    @Test func waitReturnsAtOnceWhenEventsAreWaiting() async {
        let inbox = ShipperInbox()
        inbox.post(.stop)
        let clock = ManualClock()
        // The clock never moves: the wait returns only because an event is waiting.
        await inbox.wait(timeout: .seconds(10), clock: clock)
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancellationEndsTheWait() async throws {
        let inbox = ShipperInbox()
        let clock = ManualClock()
        let waiter = Task { await inbox.wait(timeout: .seconds(30), clock: clock) }
        try await sleepers(1, on: clock)
        waiter.cancel()
        // The clock never moves: only the cancellation can end the wait.
        await waiter.value
        #expect(inbox.drain().isEmpty)
    }
}
