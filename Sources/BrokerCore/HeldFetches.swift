import Synchronization

/// Held Fetch requests across the broker: one fetch waits on every partition it reads (each
/// partition's ``AppendWaiters``), and graceful shutdown makes all of them answer at once.
///
/// A registration that finds one of its partitions already moved past what the fetch saw is
/// refused as a whole (the parts added so far are removed) and the fetch reads again. A wake
/// may still arrive from such a part, or from two partitions, or race the fetch's own timeout:
/// the wake closure must be idempotent, and the fetch calls ``cancel(_:)`` when it is done.
///
/// Shutdown: ``shutDown(_:)`` sets the flag and then wakes every partition's waiters under their
/// locks, while registration reads the flag under the partition's lock; so a registration
/// either sees the flag or is woken by the shutdown, never left waiting for its deadline.
public final class HeldFetches: Sendable {
    public typealias Wake = @Sendable () -> Void

    /// What ``cancel(_:)`` needs to remove a waiter.
    public struct Registration: Sendable {
        let id: UInt64
        let partitions: [Partition]
    }

    private let nextID = Atomic<UInt64>(0)
    private let isShutDownFlag = Atomic<Bool>(false)

    public init() {}

    /// Registers `wake` on every partition in `observed`, or returns `nil` (registering nothing)
    /// when one of them already has a high watermark other than the one observed, or after
    /// ``shutDown(_:)``.
    public func register(_ observed: [(partition: Partition, highWatermark: Int64)], wake: @escaping Wake)
        -> Registration?
    {
        guard !isShutDown else { return nil }
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        var registered: [Partition] = []
        for (partition, seen) in observed {
            let added = partition.appendWaiters.add(id, wake: wake) {
                !isShutDown && partition.highWatermark == seen
            }
            guard added else {
                for partition in registered { partition.appendWaiters.remove(id) }
                return nil
            }
            registered.append(partition)
        }
        return Registration(id: id, partitions: registered)
    }

    /// Removes a waiter from every partition it is still registered on.
    public func cancel(_ registration: Registration) {
        for partition in registration.partitions { partition.appendWaiters.remove(registration.id) }
    }

    /// Whether ``shutDown(_:)`` was called: held fetches then answer at once with what there is.
    public var isShutDown: Bool { isShutDownFlag.load(ordering: .sequentiallyConsistent) }

    /// Wakes every waiter of `partitions` (all the broker has) and refuses new registrations
    /// (graceful shutdown: held fetches answer with what there is instead of holding the
    /// connection until their deadline).
    public func shutDown(_ partitions: [Partition]) {
        isShutDownFlag.store(true, ordering: .sequentiallyConsistent)
        for partition in partitions { partition.appendWaiters.wakeAll() }
    }
}
