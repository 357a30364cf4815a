import Synchronization
import NIOCore
import Synchronization

/// fsync before ack with group commit for one partition (DESIGN §4, §10.1): produce requests
/// that appended wait here until the log is durable past their batches, and concurrent requests
/// share one fsync.
///
/// At most one sync runs at a time. The first waiter that finds none running starts one on the
/// storage executor (the *leader*); whoever appends while it runs just adds a waiter. When the
/// sync returns, every waiter at or below the new durable end is answered, and if waiters
/// remain (they appended during the sync) the leader syncs once more. So under load one fsync
/// covers everything appended during the previous one, and the number of fsyncs grows with
/// time spent syncing, not with the number of requests.
///
/// A failed sync fails every waiter (they answer KAFKA_STORAGE_ERROR, nothing is acknowledged);
/// the log then refuses writes until ``PartitionProducers`` resets it.
///
/// Invariant: `isSyncing` is true exactly while a leader loop runs, and then `waiters` is only
/// emptied by that leader (or by ``failAll(_:)`` when the executor refused to start it).
final class GroupCommit: Sendable {
    typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    private struct Waiter {
        var offset: Int64
        var completion: Completion
    }

    private struct State {
        var isSyncing = false
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())
    /// The partition's durable end now (answers a waiter that is covered already).
    private let durableEnd: @Sendable () -> Int64
    /// Runs one sync and publishes the new durable end (counting, waking fetches).
    private let sync: @Sendable () throws -> Int64

    init(durableEnd: @escaping @Sendable () -> Int64, sync: @escaping @Sendable () throws -> Int64) {
        self.durableEnd = durableEnd
        self.sync = sync
    }

    /// Calls `completion` once the log is durable through `offset` (exclusive: every record
    /// below it), or with the sync's error. May run the syncs itself through `executor`.
    func waitUntilDurable(
        through offset: Int64,
        executor: any StorageExecutor,
        eventLoop: any EventLoop,
        completion: @escaping Completion
    ) {
        let durable = durableEnd()
        if durable >= offset {
            completion(.success(durable))
            return
        }
        let leads = state.withLock { state in
            state.waiters.append(Waiter(offset: offset, completion: completion))
            guard !state.isSyncing else { return false }
            state.isSyncing = true
            return true
        }
        guard leads else { return }
        executor.submit(on: eventLoop) { self.lead() }.whenFailure { error in
            // The executor refused the work (shutting down): nobody will sync, answer now.
            self.failAll(error)
        }
    }

    /// Syncs until no waiter is left.
    private func lead() {
        while true {
            let result = Result { try sync() }
            let (answered, more): ([Waiter], Bool) = state.withLock { state in
                let answered: [Waiter]
                switch result {
                case .success(let durable):
                    answered = state.waiters.filter { $0.offset <= durable }
                    state.waiters.removeAll { $0.offset <= durable }
                case .failure:
                    answered = state.waiters
                    state.waiters = []
                }
                state.isSyncing = !state.waiters.isEmpty
                return (answered, state.isSyncing)
            }
            for waiter in answered { waiter.completion(result) }
            guard more else { return }
        }
    }

    private func failAll(_ error: any Error) {
        let waiters = state.withLock { state in
            defer {
                state.waiters = []
                state.isSyncing = false
            }
            return state.waiters
        }
        for waiter in waiters { waiter.completion(.failure(error)) }
    }
}
