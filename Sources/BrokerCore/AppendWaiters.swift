import Synchronization
import SegmentStore

/// Held Fetch requests waiting for an append to one of their partitions (long polling).
///
/// A waiter registers on every partition it fetches, together with the log end it saw when it
/// read. ``register(_:wake:)`` checks, under the same lock that ``appended(to:)`` takes, that no
/// partition has moved past what the waiter saw: an append that finished before registration is
/// seen then (registration is refused, the caller reads again), and one that finishes after
/// finds the waiter. So no wake-up is ever lost.
///
/// Wake-ups are one-shot per partition and may arrive more than once per waiter (two partitions,
/// or an append racing the waiter's own timeout): the wake closure must be idempotent, and the
/// waiter calls ``cancel(_:)`` when it is done. Closures run outside the lock, on the appending
/// thread; they only hop to the waiter's event loop.
public final class AppendWaiters: Sendable {
    public typealias Wake = @Sendable () -> Void

    /// What ``cancel(_:)`` needs to remove a waiter.
    public struct Registration: Sendable, Hashable {
        let id: UInt64
        let partitions: [ObjectIdentifier]
    }

    struct State {
        var nextID: UInt64 = 0
        var waiters: [ObjectIdentifier: [UInt64: Wake]] = [:]
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let highWatermark: @Sendable (PartitionLog) -> Int64

    /// - Parameter highWatermark: the end of a log that readers may see, which registration
    ///   compares against what the waiter observed (the durable end with fsync=ack).
    public init(highWatermark: @escaping @Sendable (PartitionLog) -> Int64 = { $0.logEndOffset }) {
        self.highWatermark = highWatermark
    }

    /// Registers `wake` on every partition in `observed`, or returns `nil` without registering
    /// when one of them already has a log end other than the one observed, or after
    /// ``shutDown()``.
    public func register(_ observed: [(log: PartitionLog, logEnd: Int64)], wake: @escaping Wake) -> Registration? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            for entry in observed where highWatermark(entry.log) != entry.logEnd { return nil }
            let id = state.nextID
            state.nextID += 1
            let keys = observed.map { ObjectIdentifier($0.log) }
            for key in keys { state.waiters[key, default: [:]][id] = wake }
            return Registration(id: id, partitions: keys)
        }
    }

    /// Removes a waiter from every partition it is still registered on.
    public func cancel(_ registration: Registration) {
        state.withLock { state in
            for key in registration.partitions {
                state.waiters[key]?[registration.id] = nil
                if state.waiters[key]?.isEmpty == true { state.waiters[key] = nil }
            }
        }
    }

    /// Wakes every waiter of `log`; call after its high watermark moved (an append returned, or
    /// with fsync=ack a sync).
    public func appended(to log: PartitionLog) {
        let woken = state.withLock { state in state.waiters.removeValue(forKey: ObjectIdentifier(log)) }
        for wake in (woken ?? [:]).values { wake() }
    }

    /// Whether ``shutDown()`` was called: held fetches then answer at once with what there is.
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Wakes every waiter and refuses new registrations (graceful shutdown: held fetches answer
    /// with what there is instead of holding the connection until their deadline).
    public func shutDown() {
        let woken = state.withLock { state in
            state.isShutDown = true
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap { $0.values }
        }
        for wake in woken { wake() }
    }

    /// Waiters registered, counting one per partition registration (for tests and metrics).
    public var registeredCount: Int {
        state.withLock { state in state.waiters.values.reduce(0) { $0 + $1.count } }
    }
}
