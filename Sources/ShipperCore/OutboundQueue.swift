import Synchronization
/// The transmissions the pipeline decided to send, in order, for the one task that sends them.
///
/// Order matters: within a partition a producer's batches must reach the broker in sequence
/// order, and the sender writes them on one connection in queue order. A resend replaces the
/// older transmission of the same batch if that one has not been taken yet, so the broker is
/// not handed a stale copy just before the resend (it would answer OUT_OF_ORDER for nothing).
final class OutboundQueue: Sendable {
    private struct Key: Hashable {
        var file: UInt64
        var batch: UInt64
    }

    private struct State {
        var items = SlotQueue<Transmission>()
        var waiter: CheckedContinuation<Transmission?, Never>?
        var isClosed = false
    }

    private let state = Mutex(State())

    init() {}

    /// Queues `transmissions` in order, dropping queued older transmissions of the same batches.
    func push(_ transmissions: [Transmission]) {
        guard !transmissions.isEmpty else { return }
        let handOff = state.withLock { state -> (CheckedContinuation<Transmission?, Never>, Transmission)? in
            guard !state.isClosed else { return nil }
            let replaced = Set(transmissions.map { Key(file: $0.file.rawValue, batch: $0.batch.id) })
            if !state.items.isEmpty {
                state.items.removeAll { replaced.contains(Key(file: $0.file.rawValue, batch: $0.batch.id)) }
            }
            guard let waiter = state.waiter else {
                state.items.append(contentsOf: transmissions)
                return nil
            }
            // A waiting taker means nothing was queued: hand it the first, queue the rest.
            state.waiter = nil
            state.items.append(contentsOf: transmissions.dropFirst())
            return (waiter, transmissions[0])
        }
        if let (waiter, first) = handOff { waiter.resume(returning: first) }
    }

    /// The next transmission, waiting for one; `nil` once the queue is closed. One caller.
    func next() async -> Transmission? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Transmission?? in
                if let item = state.items.popFirst() { return .some(item) }
                if state.isClosed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Takes, without waiting, the transmissions queued right behind `first` that can share its
    /// Produce request: of the same file (one producer per request) and each of a partition not
    /// in the request yet, at most `limit` in all with `first`. Stops at the first that cannot,
    /// so the queue order — within a partition, the sequence order — is kept.
    func takeCompanions(of first: Transmission, limit: Int) -> [Transmission] {
        state.withLock { state in
            var taken: [Transmission] = []
            var partitions: Set<Int32> = [first.batch.partition.partition]
            while taken.count + 1 < limit, let item = state.items.first, item.file == first.file,
                partitions.insert(item.batch.partition.partition).inserted, let next = state.items.popFirst()
            {
                taken.append(next)
            }
            return taken
        }
    }

    /// Ends `next()`: what is queued is dropped (the pipeline's checkpoints stay behind it, so
    /// those lines are sent again after a restart).
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Transmission?, Never>? in
            state.isClosed = true
            state.items.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Transmissions queued and not yet taken.
    var count: Int { state.withLock { $0.items.count } }
}
