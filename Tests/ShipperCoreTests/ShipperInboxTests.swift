import Testing

@testable import ShipperCore

@Suite struct ShipperInboxTests {
    @Test func waitEndsAtTheTimeoutWhenNothingArrives() async {
        let inbox = ShipperInbox()
        let start = ContinuousClock.now
        await inbox.wait(timeout: .milliseconds(60))
        let waited = start.duration(to: .now)
        #expect(waited >= .milliseconds(55))
        #expect(waited < .seconds(2))
        #expect(inbox.drain().isEmpty)
    }

    @Test func aPostEndsTheWaitAndDrainKeepsPostingOrder() async {
        let inbox = ShipperInbox()
        let start = ContinuousClock.now
        Task {
            try? await Task.sleep(for: .milliseconds(30))
            inbox.post(.topicReady(partitions: 3, clusterId: "c"))
            inbox.post(.stop)
        }
        await inbox.wait(timeout: .seconds(10))
        #expect(start.duration(to: .now) < .seconds(5))
        try? await Task.sleep(for: .milliseconds(10))
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
        let start = ContinuousClock.now
        await inbox.wait(timeout: .seconds(10))
        #expect(start.duration(to: .now) < .seconds(1))
    }

    @Test func cancellationEndsTheWait() async {
        let inbox = ShipperInbox()
        let waiter = Task { await inbox.wait(timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        let start = ContinuousClock.now
        waiter.cancel()
        await waiter.value
        #expect(start.duration(to: .now) < .seconds(5))
    }
}
