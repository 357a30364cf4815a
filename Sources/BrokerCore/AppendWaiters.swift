import Synchronization
import SegmentStore

/// The held Fetch requests waiting for an append to one partition (long polling), owned by its
/// ``Partition``; ``HeldFetches`` registers one fetch on all of its partitions.
///
/// ``add(_:wake:ifStill:)`` runs its check — has the partition moved past what the fetch saw? —
/// under the same lock that ``wakeAll()`` takes, so an append that finished before the
/// registration is seen then (the registration is refused, the fetch reads again), and one that
/// finishes after finds the waiter: no wake-up is ever lost.
///
/// Wake-ups are one-shot: ``wakeAll()`` removes the waiters it wakes. Closures run outside the
/// lock, on the thread that appended or synced; they only hop to the fetch's event loop.
final class AppendWaiters: Sendable {
    typealias Wake = @Sendable () -> Void

    private let waiters = Mutex<[UInt64: Wake]>([:])

    init() {}

    /// Registers `wake` under `id` when `isCurrent` (run under the lock) says the fetch's view
    /// of the partition still holds; returns whether it did.
    func add(_ id: UInt64, wake: @escaping Wake, ifStill isCurrent: () -> Bool) -> Bool {
        waiters.withLock { waiters in
            guard isCurrent() else { return false }
            waiters[id] = wake
            return true
        }
    }

    /// Removes the waiter registered under `id`, if it is still there.
    func remove(_ id: UInt64) {
        _ = waiters.withLock { $0.removeValue(forKey: id) }
    }

    /// Wakes (and removes) every waiter; call after the partition's high watermark moved (an
    /// append returned, or with fsync=ack a sync), and at shutdown.
    func wakeAll() {
        let woken = waiters.withLock { waiters in
            defer { waiters = [:] }
            return waiters
        }
        for wake in woken.values { wake() }
    }

    /// Waiters registered now (tests and diagnostics).
    var count: Int { waiters.withLock { $0.count } }
}
