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
        /// Queued transmissions from `head` on; taken slots are emptied at once (a taken
        /// transmission must not keep its batch bytes alive here).
        var items: [Transmission?] = []
        var head = 0
        var waiter: CheckedContinuation<Transmission?, Never>?
        var isClosed = false
    }

    private let state = Locked(State())

    init() {}

    /// Queues `transmissions` in order, dropping queued older transmissions of the same batches.
    func push(_ transmissions: [Transmission]) {
        guard !transmissions.isEmpty else { return }
        let handOff = state.withLock { state -> (CheckedContinuation<Transmission?, Never>, Transmission)? in
            guard !state.isClosed else { return nil }
            let replaced = Set(transmissions.map { Key(file: $0.file.rawValue, batch: $0.batch.id) })
            if state.head < state.items.count {
                let pending = state.items[state.head...].filter {
                    guard let item = $0 else { return false }
                    return !replaced.contains(Key(file: item.file.rawValue, batch: item.batch.id))
                }
                state.items = Array(pending)
                state.head = 0
            }
            guard let waiter = state.waiter else {
                state.items.append(contentsOf: transmissions.map(Optional.some))
                return nil
            }
            // A waiting taker means nothing was queued: hand it the first, queue the rest.
            state.waiter = nil
            state.items.append(contentsOf: transmissions.dropFirst().map(Optional.some))
            return (waiter, transmissions[0])
        }
        if let (waiter, first) = handOff { waiter.resume(returning: first) }
    }

    /// The next transmission, waiting for one; `nil` once the queue is closed. One caller.
    func next() async -> Transmission? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Transmission?? in
                if state.head < state.items.count, let item = state.items[state.head] {
                    state.items[state.head] = nil
                    state.head += 1
                    if state.head == state.items.count {
                        state.items.removeAll(keepingCapacity: true)
                        state.head = 0
                    } else if state.head >= 64, state.head * 2 >= state.items.count {
                        state.items.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(item)
                }
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
            while taken.count + 1 < limit, state.head < state.items.count, let item = state.items[state.head],
                item.file == first.file, partitions.insert(item.batch.partition.partition).inserted
            {
                state.items[state.head] = nil
                state.head += 1
                taken.append(item)
            }
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
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
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Transmissions queued and not yet taken.
    var count: Int { state.withLock { $0.items.count - $0.head } }
}
