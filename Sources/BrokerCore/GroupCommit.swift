import Synchronization
import NIOCore
import SegmentStore

/// fsync before ack with group commit (DESIGN §4, §10.1): produce requests that appended to a
/// partition wait here until its log is durable past their batches, and concurrent requests
/// share one fsync.
///
/// Per partition at most one sync runs at a time. The first waiter that finds none running
/// starts one on the storage executor (the *leader*); whoever appends while it runs just adds
/// a waiter. When the sync returns, every waiter at or below the new durable end is answered,
/// and if waiters remain (they appended during the sync) the leader syncs once more. So under
/// load one fsync covers everything appended during the previous one, and the number of fsyncs
/// grows with time spent syncing, not with the number of requests.
///
/// A failed sync fails every waiter of the partition (they answer KAFKA_STORAGE_ERROR, nothing
/// is acknowledged); the log then refuses writes until ``PartitionProducers`` resets it.
final class GroupCommit: Sendable {
    typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    struct Waiter {
        var offset: Int64
        var completion: Completion
    }

    struct PartitionState {
        var isSyncing = false
        var waiters: [Waiter] = []
    }

    private let partitions = Mutex<[ObjectIdentifier: PartitionState]>([:])
    /// Runs one sync of `log` and publishes the new durable end (counting, waking fetches).
    private let sync: @Sendable (PartitionLog) throws -> Int64

    init(sync: @escaping @Sendable (PartitionLog) throws -> Int64) {
        self.sync = sync
    }

    /// Calls `completion` once `log` is durable through `offset` (exclusive: every record below
    /// it), or with the sync's error. May run the syncs itself through `executor`.
    func waitUntilDurable(
        _ log: PartitionLog,
        through offset: Int64,
        executor: any StorageExecutor,
        eventLoop: any EventLoop,
        completion: @escaping Completion
    ) {
        let durable = log.durableEndOffset
        if durable >= offset {
            completion(.success(durable))
            return
        }
        let key = ObjectIdentifier(log)
        let leads = partitions.withLock { partitions in
            var partition = partitions[key] ?? PartitionState()
            partition.waiters.append(Waiter(offset: offset, completion: completion))
            defer { partitions[key] = partition }
            guard !partition.isSyncing else { return false }
            partition.isSyncing = true
            return true
        }
        guard leads else { return }
        executor.submit(on: eventLoop) { self.lead(log) }.whenFailure { error in
            // The executor refused the work (shutting down): nobody will sync, answer now.
            self.failAll(log, error)
        }
    }

    /// Syncs until no waiter of `log` is left.
    private func lead(_ log: PartitionLog) {
        let key = ObjectIdentifier(log)
        while true {
            let result = Result { try sync(log) }
            let (answered, more): ([Waiter], Bool) = partitions.withLock { partitions in
                guard var partition = partitions[key] else { return ([], false) }
                let answered: [Waiter]
                switch result {
                case .success(let durable):
                    answered = partition.waiters.filter { $0.offset <= durable }
                    partition.waiters.removeAll { $0.offset <= durable }
                case .failure:
                    answered = partition.waiters
                    partition.waiters = []
                }
                partition.isSyncing = !partition.waiters.isEmpty
                partitions[key] = partition.isSyncing ? partition : nil
                return (answered, partition.isSyncing)
            }
            for waiter in answered { waiter.completion(result) }
            guard more else { return }
        }
    }

    private func failAll(_ log: PartitionLog, _ error: any Error) {
        let waiters = partitions.withLock { partitions in
            partitions.removeValue(forKey: ObjectIdentifier(log))?.waiters ?? []
        }
        for waiter in waiters { waiter.completion(.failure(error)) }
    }
}
