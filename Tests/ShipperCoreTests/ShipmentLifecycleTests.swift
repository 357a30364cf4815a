import LogTailing
import Testing

@testable import ShipperCore

@Suite struct ShipmentLifecycleTests {
    @Test func finishedThenSuperseded() {
        var lifecycle = ShipmentLifecycle.reading
        #expect(lifecycle.end == nil && !lifecycle.isSuperseded)
        lifecycle.finish(.truncated)
        #expect(lifecycle == .finished(.truncated) && lifecycle.end == .truncated && !lifecycle.isSuperseded)
        lifecycle.supersede()
        #expect(lifecycle == .superseded(end: .truncated) && lifecycle.isSuperseded)
        lifecycle.retire()
        #expect(lifecycle == .retired && lifecycle.end == nil)
    }

    @Test func supersededThenFinished() {
        var lifecycle = ShipmentLifecycle.reading
        lifecycle.supersede()
        #expect(lifecycle == .superseded(end: nil) && lifecycle.end == nil)
        lifecycle.supersede()  // a third generation of the inode
        #expect(lifecycle == .superseded(end: nil))
        lifecycle.finish(.rotated)
        #expect(lifecycle == .superseded(end: .rotated) && lifecycle.end == .rotated)
    }

    @Test func finishingTwiceTraps() async {
        await #expect(processExitsWith: .failure) {
            var lifecycle = ShipmentLifecycle.reading
            lifecycle.finish(.rotated)
            lifecycle.finish(.deleted)
        }
    }

    @Test func retiringWhileReadingTraps() async {
        await #expect(processExitsWith: .failure) {
            var lifecycle = ShipmentLifecycle.reading
            lifecycle.supersede()
            lifecycle.retire()
        }
    }
}
