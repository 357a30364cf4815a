import FileStorage
import Foundation
import SegmentStore

/// A wall clock tests move by hand (file modification times, segment ages, commit times).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var milliseconds: Int64

    init(_ milliseconds: Int64 = 1_700_000_000_000) {
        self.milliseconds = milliseconds
    }

    var now: Int64 { lock.withLock { milliseconds } }

    func advance(by amount: Int64) {
        lock.withLock { milliseconds += amount }
    }

    var wallClock: WallClock { WallClock { self.now } }
}
