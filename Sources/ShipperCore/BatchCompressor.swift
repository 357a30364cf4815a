import KafkaProtocol
import LogTailing
import NIOCore

/// Builds sealed batches (LZ4 frame of the records section, RecordBatch v2 header) on
/// a task of its own, so compression runs on another core than reading, parsing and encoding.
///
/// Jobs are done in submission order and their results posted to the pipeline's inbox in that
/// order. A batch is built with placeholder producer fields: its producer id, epoch and base
/// sequence are only known when the pipeline sends it, which stamps them in, with the CRC
/// (`BatchRestamp`). The section goes back with the result, to be reused.
final class BatchCompressor: Sendable {
    struct Job: Sendable {
        var file: TailedFileID
        var serial: UInt64
        var section: RecordsSection
    }

    private struct State {
        /// Jobs from `head` on; taken slots are emptied at once (a taken job must not keep its
        /// records section alive here).
        var jobs: [Job?] = []
        var head = 0
        var waiter: CheckedContinuation<Job?, Never>?
        var isClosed = false
    }

    private let state = Locked(State())
    private let inbox: ShipperInbox

    init(inbox: ShipperInbox) {
        self.inbox = inbox
    }

    func submit(_ job: Job) {
        let waiter = state.withLock { state -> CheckedContinuation<Job?, Never>? in
            guard !state.isClosed else { return nil }
            guard let waiter = state.waiter else {
                state.jobs.append(job)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: job)
    }

    /// Compresses jobs until `close()`.
    func run() async {
        let codec: LZ4RecordsCodec
        do {
            codec = try LZ4RecordsCodec()
        } catch {
            // Without a codec every batch fails; the pipeline counts them as lost.
            while let job = await next() {
                inbox.post(
                    .compressed(file: job.file, serial: job.serial, result: .failure(error), section: job.section)
                )
            }
            return
        }
        while let job = await next() {
            let result: Result<ByteBuffer, KafkaProtocolError>
            do {
                result = .success(try job.section.build(codec: codec))
            } catch let error as KafkaProtocolError {
                result = .failure(error)
            } catch {
                result = .failure(.codecFailed(reason: "\(error)"))
            }
            inbox.post(.compressed(file: job.file, serial: job.serial, result: result, section: job.section))
        }
    }

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Job?, Never>? in
            state.isClosed = true
            state.jobs.removeAll()
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    private func next() async -> Job? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Job?? in
                if state.head < state.jobs.count, let job = state.jobs[state.head] {
                    state.jobs[state.head] = nil
                    state.head += 1
                    if state.head == state.jobs.count {
                        state.jobs.removeAll(keepingCapacity: true)
                        state.head = 0
                    } else if state.head >= 64, state.head * 2 >= state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(job)
                }
                if state.isClosed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
