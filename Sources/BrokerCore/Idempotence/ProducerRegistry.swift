import Synchronization
import Logging
import SegmentStore

/// The ``PartitionProducers`` of every partition log, created on first use (so a partition that
/// is only read never loads producer state).
final class ProducerRegistry: Sendable {
    private let partitions = Mutex<[ObjectIdentifier: PartitionProducers]>([:])
    private let make: @Sendable (PartitionLog) -> PartitionProducers

    init(make: @escaping @Sendable (PartitionLog) -> PartitionProducers) {
        self.make = make
    }

    /// The producers of `log`.
    func producers(of log: PartitionLog) -> PartitionProducers {
        partitions.withLock { partitions in
            let key = ObjectIdentifier(log)
            if let existing = partitions[key] { return existing }
            let created = make(log)
            partitions[key] = created
            return created
        }
    }

    /// Every partition whose producers were used since start-up.
    var used: [PartitionProducers] {
        partitions.withLock { Array($0.values) }
    }
}
