import KafkaProtocol

/// The integrity check a batch must pass, beyond the storage's own header checks.
///
/// Injected so that storage tests can write batches with a checksum of their own; the broker
/// injects ``crc32c``. It is run on every batch given to `PartitionLog.append` and on every
/// batch recovery scans at the tail of the log, so a torn or bit-flipped batch is cut at
/// start-up. The closure receives the batch's header, parsed once by the caller, and exactly one
/// whole batch (header included, `baseOffset` possibly rewritten: the Kafka CRC does not cover
/// it), and must not keep the pointer.
public struct BatchValidator: Sendable {
    private let check: @Sendable (RecordBatchHeader, UnsafeRawBufferPointer) -> Bool

    /// - Parameter check: returns whether the batch is intact (for Kafka: the CRC-32C in the
    ///   header matches the bytes it covers).
    public init(_ check: @escaping @Sendable (RecordBatchHeader, UnsafeRawBufferPointer) -> Bool) {
        self.check = check
    }

    /// Kafka's check: the stored CRC-32C matches the batch (``RecordBatch/checksumMatches(_:header:)``).
    public static let crc32c = BatchValidator { header, batch in
        RecordBatch.checksumMatches(batch, header: header)
    }

    /// Accepts every structurally sound batch. Only for tests and tools: without a checksum a
    /// torn tail whose header survived is not detected.
    public static let structuralOnly = BatchValidator { _, _ in true }

    /// Whether `batch`, whose header is `header`, is intact.
    public func isValid(_ batch: UnsafeRawBufferPointer, header: RecordBatchHeader) -> Bool {
        check(header, batch)
    }

    /// Whether `batch` is intact, reading its header first (`false` without a whole header).
    /// For tools and tests; the append and recovery paths pass the header they parsed.
    public func isValid(_ batch: UnsafeRawBufferPointer) -> Bool {
        guard let header = RecordBatchHeader(readingFieldsOf: batch) else { return false }
        return check(header, batch)
    }
}
