import Synchronization

/// What a shard writer task reports back to the consumer loop.
enum WriterReport: Sendable {
    /// The flush finished: committed, already committed, or fenced partitions.
    case finished(shard: Int, outcome: ShardFlushOutcome)
    /// The flush cannot be done and must not be retried (the broker's cluster changed, ...).
    case fatal(shard: Int, error: any Error)
}

/// Reports from writer tasks, drained by the loop between fetch rounds. A mutex rather than an
/// AsyncStream because the loop only ever polls it.
final class WriterMailbox: Sendable {
    private let reports = Mutex<[WriterReport]>([])

    func post(_ report: WriterReport) {
        reports.withLock { $0.append(report) }
    }

    func drain() -> [WriterReport] {
        reports.withLock { reports in
            defer { reports.removeAll() }
            return reports
        }
    }
}
