import Foundation
import PipelineTestSupport
import Testing

struct OffPoolTests {
    struct Planned: Error {}

    @Test func returnsTheResultAndRethrowsTheError() async throws {
        #expect(try await OffPool.run { () throws -> Int in 42 } == 42)
        await #expect(throws: Planned.self) { try await OffPool.run { () throws -> Int in throw Planned() } }
    }

    /// More blocked calls than the cooperative pool has threads (one per core): each waits until
    /// all have started. On pool threads they would wait out the timeout; on their own, all meet.
    @Test func moreBlockedCallsThanPoolThreadsAllMeet() async {
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let arrived = NSCondition()
        let counter = Counter()
        let met = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    await OffPool.run {
                        arrived.lock()
                        defer { arrived.unlock() }
                        counter.value += 1
                        arrived.broadcast()
                        let deadline = Date(timeIntervalSinceNow: 10)
                        while counter.value < count {
                            if !arrived.wait(until: deadline) { return false }
                        }
                        return true
                    }
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(met == count)
    }

    /// Guarded by the `NSCondition` above.
    private final class Counter: @unchecked Sendable {
        var value = 0
    }
}
