import AccessRecord
import Synchronization
import RequestEncoding

/// The workers that parse, encode, batch and compress `EncodingUnit`s (`UnitEncoder`), so that
/// work — most of the shipper's CPU — runs on every core while the pipeline's own task only
/// reads and keeps the books.
///
/// Units are taken in submission order by whichever worker is free, so results may come back
/// out of order; each is posted to the pipeline's inbox as `.encoded`, and the pipeline takes
/// them back in `serial` order per file. A worker runs one unit without suspending (a unit is
/// at most one checkpoint group, about `batch-bytes` of log).
final class EncodingPool: Sendable {
    private struct Job: Sendable {
        var unit: EncodingUnit
        var reservedBytes: Int
    }

    private struct State {
        var jobs = SlotQueue<Job>()
        var waiters: [CheckedContinuation<Job?, Never>] = []
        var isClosed = false
    }

    private let state = Mutex(State())
    private let inbox: ShipperInbox
    let workerCount: Int

    init(inbox: ShipperInbox, workerCount: Int) {
        self.inbox = inbox
        self.workerCount = max(1, workerCount)
    }

    /// Starts the workers, each with its own copy of `encoders` (one per source, in source
    /// order: they are values, so no parser state is shared). A worker does not yield between
    /// units (measured: yielding cost 5-10 % CPU); the pipeline still gets a core whenever the
    /// queue runs dry, which the cap of two units per worker in flight makes frequent.
    func start(
        encoders: [ParsedLineEncoder],
        batchBytes: Int,
        retainBudget: Int,
        lz4Acceleration: Int,
        valueEncoding: RecordValueEncoding
    ) -> [Task<Void, Never>] {
        (0..<workerCount).map { worker in
            Task { [self] in
                var encoder = UnitEncoder(
                    encoders: encoders,
                    batchBytes: batchBytes,
                    worker: worker,
                    retainBudget: retainBudget,
                    lz4Acceleration: lz4Acceleration,
                    valueEncoding: valueEncoding
                )
                while var job = await next() {
                    inbox.post(.encoded(encoder.encode(&job.unit, reservedBytes: job.reservedBytes)))
                }
            }
        }
    }

    func submit(_ unit: EncodingUnit, reservedBytes: Int) {
        let job = Job(unit: unit, reservedBytes: reservedBytes)
        let waiter = state.withLock { state -> CheckedContinuation<Job?, Never>? in
            guard !state.isClosed else { return nil }
            guard !state.waiters.isEmpty else {
                state.jobs.append(job)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: job)
    }

    /// Ends the workers; units not yet taken are dropped (their lines are read again after a
    /// restart, from the checkpoint).
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Job?, Never>] in
            state.isClosed = true
            state.jobs.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    private func next() async -> Job? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Job?? in
                if let job = state.jobs.popFirst() { return .some(job) }
                if state.isClosed { return .some(nil) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
