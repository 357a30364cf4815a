import KafkaProtocol

/// What one partition's part of a Produce request came to.
struct PartitionAppendOutcome: Sendable, Equatable {
    var errorCode: KafkaErrorCode
    /// The offset answered: where the first record of the request's first batch is stored (for a
    /// duplicate, where it was stored the first time); -1 with an error.
    var baseOffset: Int64
    /// With fsync=ack the answer waits until the log is durable up to here (the log end once the
    /// work was done; for a duplicate too, since the original may not be durable yet). `nil`
    /// with an error.
    var durableTarget: Int64?
    /// Records and bytes newly stored.
    var storedRecords: Int64 = 0
    var storedBytes: Int = 0

    static func failed(_ code: KafkaErrorCode) -> PartitionAppendOutcome {
        PartitionAppendOutcome(errorCode: code, baseOffset: -1, durableTarget: nil)
    }
}
